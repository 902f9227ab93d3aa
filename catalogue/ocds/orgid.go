package ocds

import (
	"fmt"

	"github.com/jointict/councilapi/domain"
)

// Councils are identified with the org-id.guide scheme GB-LAE, "Local
// Authorities for England Register" (https://org-id.guide/list/GB-LAE):
// the three-letter local-authority-eng codes of the GOV.UK register built
// with DCLG, e.g. GB-LAE-NED. org-id.guide lists no scheme of ONS GSS
// codes, and rightly: a GSS code names a statistical area and changes with
// its boundary, while the register code names the council as a legal body.
// So the stored GSS code is translated through the table below. Scotland
// (GB-LAS), Wales (GB-PLA) and Northern Ireland (GB-LANI) have their own
// registers; no council of theirs is in the joint service yet.
const CouncilScheme = "GB-LAE"

// CouncilCodesVersion names the edition of councilCodes.
const CouncilCodesVersion = "2026-12"

// councilCodes maps GSS codes to GB-LAE codes for the councils of the
// joint service and their neighbours. Source: mySociety "UK Local
// Authority Names and Codes" (uk_local_authorities_current.csv, columns
// gss-code and local-authority-code, which is the register's
// local-authority-eng code), CC BY 4.0, checked December 2026. A council
// not listed here is published without an identifier and named by
// IdentifierProblems until its row is added.
var councilCodes = map[string]string{
	"E07000032": "AMB", // Amber Valley Borough Council
	"E07000033": "BOS", // Bolsover District Council
	"E07000035": "DEB", // Derbyshire Dales District Council
	"E07000036": "ERE", // Erewash Borough Council
	"E07000038": "NED", // North East Derbyshire District Council
	"E07000134": "NWL", // North West Leicestershire District Council
	"E06000015": "DER", // Derby City Council
	"E10000007": "DBY", // Derbyshire County Council
}

// CouncilIdentifier is the org-id identifier of a council, found from its
// GSS code.
func CouncilIdentifier(o domain.Organisation) (Identifier, bool) {
	code, ok := councilCodes[o.GSSCode]
	if !ok {
		return Identifier{}, false
	}
	return Identifier{Scheme: CouncilScheme, ID: code, LegalName: o.Name}, true
}

// IdentifierProblems names each party council of p that OCDS cannot
// identify, so the service can say so on every answer rather than publish
// parties without identifiers silently.
func IdentifierProblems(parties []string, orgs map[string]domain.Organisation) []string {
	var out []string
	for _, id := range parties {
		o, known := orgs[id]
		switch _, ok := CouncilIdentifier(o); {
		case !known:
			out = append(out, fmt.Sprintf("organisation %q is unknown", id))
		case o.GSSCode == "":
			out = append(out, fmt.Sprintf("%s has no GSS code, so its OCDS party has no %s identifier; set gssCode", o.Name, CouncilScheme))
		case !ok:
			out = append(out, fmt.Sprintf("%s's GSS code %s is not in the %s table (version %s); add its register code to catalogue/ocds/orgid.go",
				o.Name, o.GSSCode, CouncilScheme, CouncilCodesVersion))
		}
	}
	return out
}
