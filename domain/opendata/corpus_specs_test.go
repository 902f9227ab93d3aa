package opendata

import "fmt"

func corpus() []corpusFile {
	return []corpusFile{spendCorpus(), cardCorpus(), contractsCorpus(), assetsCorpus(), grantsCorpus()}
}

// supplierCell is a supplier column: names with the corpus quirks, Redacted
// on one row, empty with a redaction reason on another, and empty with none
// on the breach row.
func supplierCell(i int, _ layout) string {
	switch i {
	case rowRedacted:
		return "Redacted"
	case rowReason, rowBreach:
		return ""
	}
	return name(i)
}

func redactionCell(i int, _ layout) string {
	if i == rowReason {
		return "Personal data (an individual)"
	}
	return ""
}

func vatCell(i int, _ layout) string {
	switch i {
	case rowNA:
		return "N/A"
	case rowNA2:
		return "NA"
	}
	return "0.00"
}

func purposeCell(i int, _ layout) string {
	if i == rowLineBreak {
		return "Roof repairs\r\nat the depot"
	}
	return []string{"Repairs and maintenance", "Chemicals", "Software licences", "Grounds maintenance"}[i%4]
}

func departmentCell(i int, _ layout) string {
	return []string{"Housing", "Leisure", "Finance", "Environmental Services"}[i%4]
}

// spendCorpus: the Code's headings (one cut by a DBF, one with a curly
// apostrophe, one with mojibake) against the LGA spend schema's, whose
// EffectiveDate is a compact yyyymmddhhmmss.
func spendCorpus() corpusFile {
	return corpusFile{template: &SpendOver500,
		columns: []corpusColumn{
			{"Body Name", "OrganisationLabel", fixed("Bolsover District Council")},
			{"", "OrganisationURI", fixed("http://opendatacommunities.org/id/district-council/bolsover")},
			{"", "EffectiveDate", func(i int, _ layout) string {
				if i == 1 {
					return "19811104000000"
				}
				return "20240430000000"
			}},
			{"Date", "PaymentDate", date},
			{"Service Area", "OrganisationalUnit", departmentCell},
			{"Supplier\u2019s Name", "BeneficiaryName", supplierCell},
			{"", "BeneficiaryOtherID", func(i int, _ layout) string { return fmt.Sprintf("S%05d", i) }},
			{"Transaction Number", "TransactionNumber", func(i int, _ layout) string { return fmt.Sprintf("T%06d", i) }},
			{"Amount (\u00c2\u00a3)", "Amount", func(i int, _ layout) string { return amount(i, 600, 499.99) }},
			{"IRRECOVERA", "IrrecoverableVATAmount", vatCell},
			{"Summary of Purpose", "Purpose", purposeCell},
			{"Merchant Category", "ProclassLabel", fixed("Construction")},
			{"", "ProclassCode", fixed("P1023")},
			{"Reason for Redaction", "Redaction Necessary", redactionCell},
		},
		mappings: map[layout][]FieldMatch{
			codeLayout: {{Header: "Supplier\u2019s Name", Field: "Supplier name"}, {Header: "IRRECOVERA", Field: "Irrecoverable VAT", Source: SourceTruncated},
				{Header: "Amount (£)", Field: "Amount"}, {Header: "Service Area", Field: "Department", Source: SourceCode}},
			schemaLayout: {{Header: "BeneficiaryName", Field: "Supplier name", Source: SourceSchema}, {Header: "PaymentDate", Field: "Date", Source: SourceSchema},
				{Header: "OrganisationalUnit", Field: "Department", Source: SourceSchema}, {Header: "EffectiveDate", Field: "Effective date"},
				{Header: "IrrecoverableVATAmount", Field: "Irrecoverable VAT", Source: SourceSchema}, {Header: "ProclassLabel", Field: "Merchant category"}},
		},
		repairs: map[layout][][2]string{
			codeLayout:   {{"Supplier\u2019s Name", RepairNBSP}, {"Supplier\u2019s Name", RepairMojibake}, {"Amount (£)", RepairMojibake}, {"(header)", RepairMojibake}},
			schemaLayout: {{"BeneficiaryName", RepairNBSP}, {"BeneficiaryName", RepairMojibake}, {"Amount", RepairMojibake}},
		},
		warnings: map[layout][]wantProblem{
			codeLayout: {{rowSmall, "Amount", "below the Code's £500 threshold"}, {0, "Supplier name", "exactly 30 characters"}},
			schemaLayout: {{rowSmall, "Amount", "below the Code's £500 threshold"}, {0, "Supplier name", "exactly 30 characters"},
				{0, "Date", "read as US month/day dates"}},
		},
		breach: wantProblem{rowBreach, "Supplier name", "no redaction reason"},
		json: map[layout]map[int]map[string]any{
			codeLayout: {
				rowCredit: {"Amount (£)": -750.0, "Date": isoDay(rowCredit)}, rowMinus: {"Amount (£)": -1200.0},
				rowMojibake: {"Amount (£)": 2345.0, "Supplier’s Name": "Café Ltd"}, rowTextDate: {"Date": isoDay(rowTextDate)},
				rowRedacted: {"Supplier’s Name": nil, MissingMember: map[string]any{"Supplier’s Name": "redacted"}},
				rowNA:       {"IRRECOVERA": nil, MissingMember: map[string]any{"IRRECOVERA": "not applicable"}},
				rowNBSP:     {"Supplier’s Name": "Acme Ltd"}, rowLineBreak: {"Summary of Purpose": "Roof repairs\nat the depot"},
				3 * 7: {"Amount (£)": 600 + float64(21*37%900) + 0.21},
			},
			schemaLayout: {
				rowCredit: {"Amount": -750.0, "PaymentDate": usDateTime(rowCredit)}, 1: {"EffectiveDate": "1981-11-04"},
				2: {"EffectiveDate": "2024-04-30", "PaymentDate": usDateTime(2)}, 20: {"PaymentDate": usDateTime(20)},
				rowRedacted: {"BeneficiaryName": nil, MissingMember: map[string]any{"BeneficiaryName": "redacted"}},
				rowNA2:      {"IrrecoverableVATAmount": nil, MissingMember: map[string]any{"IrrecoverableVATAmount": "not applicable"}},
			},
		},
	}
}

// cardCorpus: card transactions under £500 whose merchant names are cut;
// the LGA layout is the spend schema's, told apart by the rows' amounts.
func cardCorpus() corpusFile {
	return corpusFile{template: &ProcurementCardTransactions,
		columns: []corpusColumn{
			{"Transaction Date", "PaymentDate", date},
			{"Department", "OrganisationalUnit", departmentCell},
			{"Merchant\u2019s Name", "BeneficiaryName", supplierCell},
			{"Amount", "Amount", func(i int, _ layout) string { return amount(i, 12.5, 3.99) }},
			{"IRRECOVERA", "IrrecoverableVATAmount", vatCell},
			{"Purpose", "Purpose", purposeCell},
			{"MCC", "MerchantCategory", fixed("5942 Book Stores")},
			{"Redaction Reason", "Redaction Necessary", redactionCell},
		},
		mappings: map[layout][]FieldMatch{
			codeLayout:   {{Header: "Merchant\u2019s Name", Field: "Merchant name"}, {Header: "IRRECOVERA", Field: "Irrecoverable VAT", Source: SourceTruncated}},
			schemaLayout: {{Header: "BeneficiaryName", Field: "Merchant name", Source: SourceSchema}, {Header: "MerchantCategory", Field: "Merchant category"}},
		},
		repairs: map[layout][][2]string{
			codeLayout:   {{"Merchant\u2019s Name", RepairNBSP}, {"Amount", RepairMojibake}},
			schemaLayout: {{"BeneficiaryName", RepairMojibake}, {"Amount", RepairMojibake}},
		},
		warnings: map[layout][]wantProblem{
			codeLayout:   {{0, "Merchant name", "exactly 30 characters"}},
			schemaLayout: {{0, "Merchant name", "exactly 30 characters"}, {0, "Transaction date", "read as US month/day dates"}},
		},
		breach: wantProblem{rowBreach, "Merchant name", "no redaction reason"},
		json: map[layout]map[int]map[string]any{
			codeLayout:   {rowCredit: {"Amount": -750.0}, rowSmall: {"Amount": 3.99}, 4: {"Transaction Date": isoDay(4)}},
			schemaLayout: {rowMinus: {"Amount": -1200.0}, 4: {"PaymentDate": usDateTime(4)}},
		},
	}
}

// contractsCorpus: contracts whose breach is an end date before the start;
// the LGA layout's dates are US and its review dates compact.
func contractsCorpus() corpusFile {
	end := func(i int, l layout) string {
		if i == rowBreach {
			if l == codeLayout {
				return "01/03/2024"
			}
			return "03/01/2024 09:00:00 AM"
		}
		if l == codeLayout {
			return fmt.Sprintf("%02d/04/2027", 1+i%28)
		}
		return fmt.Sprintf("04/%02d/2027 05:00:00 PM", 1+i%28)
	}
	return corpusFile{template: &ContractsOver5000,
		columns: []corpusColumn{
			{"Reference Number", "ContractReferenceNumber", func(i int, _ layout) string { return fmt.Sprintf("C-%04d", i) }},
			{"Title of Agreement", "Title", fixed("Office cleaning")},
			{"Department", "OrganisationalUnit", departmentCell},
			{"Description of Goods and Services", "Description", purposeCell},
			{"Supplier\u2019s Name", "SupplierName", func(i int, _ layout) string { return name(i) }},
			{"Contract Value", "ContractValue", func(i int, _ layout) string { return amount(i, 25000, 4999) }},
			{"Irrecoverable VAT", "IrrecoverableVAT", vatCell},
			{"Start Date", "StartDate", date},
			{"End Date", "EndDate", end},
			{"Review Date", "ReviewDate", func(i int, l layout) string {
				switch {
				case i == rowNA:
					return "N/A"
				case l == schemaLayout && i == 1:
					return "19811104000000"
				case l == schemaLayout:
					return "20250401000000"
				}
				return "01/10/2025"
			}},
			{"Whether Invitation to Quote or Tender", "ProcurementProcess", fixed("Open tender")},
			{"SME or VCSE", "SupplierType", fixed("SME")},
			{"REGISTRATI", "SUPPLIERCO", func(i int, _ layout) string {
				if i == rowNA2 {
					return "NA"
				}
				return fmt.Sprintf("0%07d", 1234567+i)
			}},
		},
		mappings: map[layout][]FieldMatch{
			codeLayout: {{Header: "REGISTRATI", Field: "Registration Number", Source: SourceTruncated}, {Header: "Supplier\u2019s Name", Field: "Supplier"},
				{Header: "Whether Invitation to Quote or Tender", Field: "Procurement route", Source: SourceCode}},
			schemaLayout: {{Header: "SUPPLIERCO", Field: "Registration Number", Source: SourceTruncated}, {Header: "ContractValue", Field: "Value"},
				{Header: "ProcurementProcess", Field: "Procurement route", Source: SourceSchema}},
		},
		repairs: map[layout][][2]string{
			codeLayout:   {{"Supplier\u2019s Name", RepairNBSP}, {"Contract Value", RepairMojibake}},
			schemaLayout: {{"SupplierName", RepairMojibake}, {"ContractValue", RepairMojibake}},
		},
		warnings: map[layout][]wantProblem{
			codeLayout: {{rowSmall, "Value", "below the Code's £5,000 threshold"}, {0, "Supplier", "exactly 30 characters"}},
			schemaLayout: {{rowSmall, "Value", "below the Code's £5,000 threshold"}, {0, "Start Date", "read as US month/day dates"},
				{0, "End Date", "read as US month/day dates"}},
		},
		breach: wantProblem{rowBreach, "End Date", "is before Start Date"},
		json: map[layout]map[int]map[string]any{
			codeLayout:   {rowCredit: {"Contract Value": -750.0}, 3: {"Contract Value": 25000 + float64(3*37%900) + 0.03, "End Date": "2027-04-04"}},
			schemaLayout: {1: {"ReviewDate": "1981-11-04"}, rowNA: {"ReviewDate": nil, MissingMember: map[string]any{"IrrecoverableVAT": "not applicable", "ReviewDate": "not applicable"}}},
		},
	}
}

// assetsCorpus: the Code layout carries a MapInfo export's leftovers
// (MI_PRINX, MI_STYLE, a DBF-cut "designatio", a lon/lat the_geom beside
// EASTING/NORTHING in metres); the LGA layout gives GeoX/GeoY with a
// CoordinateReferenceSystem per row, WGS84 or OSGB36.
func assetsCorpus() corpusFile {
	e := func(i int) float64 { return 447000 + float64(i*13) }
	n := func(i int) float64 { return 370000 + float64(i*7) }
	lon := func(i int) float64 { return -1.29 + float64(i)*0.0002 }
	lat := func(i int) float64 { return 53.23 + float64(i)*0.0001 }
	assetName := func(i int, _ layout) string {
		switch i {
		case rowNBSP:
			return "Council\u00a0Offices\u00a0"
		case rowMojibake:
			return "St Mary\u00e2\u20ac\u2122s Hall"
		case rowLineBreak:
			return "Depot\r\nand yard"
		}
		return fmt.Sprintf("Asset %d", i)
	}
	return corpusFile{template: &LandAndBuildingAssets,
		columns: []corpusColumn{
			{"MI_PRINX", "", func(i int, _ layout) string { return fmt.Sprint(i) }},
			{"Organisation Name", "OrganisationLabel", fixed("Bolsover District Council")},
			{"UPRN", "UPRN", func(i int, _ layout) string {
				if i == rowNA || i == rowRedacted {
					return map[int]string{rowNA: "N/A", rowRedacted: "Redacted"}[i]
				}
				return fmt.Sprint(100030000000 + i)
			}},
			{"Unique Asset ID", "AssetCode", func(i int, _ layout) string { return fmt.Sprintf("A%04d", i) }},
			{"Property\u2019s Name", "PropertyName", assetName},
			{"Street Number", "StreetNumber", func(i int, _ layout) string { return fmt.Sprint(i % 90) }},
			{"Street", "StreetName", fixed("Sherwood Lodge")},
			{"Post Town", "PostTown", fixed("Bolsover")},
			{"Postcode", "PostCode", func(i int, _ layout) string {
				if i == rowNBSP {
					return "S44\u00a06NF\u00a0"
				}
				return "S44 6NF"
			}},
			{"EASTING", "", func(i int, _ layout) string { return fmt.Sprintf("%.2f", e(i)) }},
			{"NORTHING", "", func(i int, _ layout) string { return fmt.Sprintf("%.2f", n(i)) }},
			{"", "COORDINATE", func(i int, _ layout) string { return map[bool]string{true: "OSGB36", false: "WGS84"}[i%5 == 0] }},
			{"", "GeoX", func(i int, _ layout) string {
				switch {
				case i == rowNA2:
					return ""
				case i%5 == 0:
					return fmt.Sprintf("%.0f", e(i))
				}
				return fmt.Sprintf("%.6f", lon(i))
			}},
			{"", "GeoY", func(i int, _ layout) string {
				switch {
				case i == rowNA2:
					return ""
				case i%5 == 0:
					return fmt.Sprintf("%.0f", n(i))
				}
				return fmt.Sprintf("%.6f", lat(i))
			}},
			{"Tenure", "TenureType", func(i int, _ layout) string {
				if i == rowBreach {
					return "Rented"
				}
				return []string{"Freehold", "Leasehold"}[i%2]
			}},
			{"TENURE_CAT", "TenureDetail", fixed("Occupied by the LA")},
			{"designatio", "", fixed("Conservation area")},
			{"MI_STYLE", "", fixed("Symbol (35,0,12)")},
			{"the_geom", "", func(i int, _ layout) string { return fmt.Sprintf("POINT (%.6f %.6f)", lon(i), lat(i)) }},
		},
		mappings: map[layout][]FieldMatch{
			codeLayout: {{Header: "TENURE_CAT", Field: "Tenure category", Source: SourceTruncated}, {Header: "EASTING", Field: "Easting"},
				{Header: "Property\u2019s Name", Field: "Name"}},
			schemaLayout: {{Header: "AssetCode", Field: "Unique Asset ID", Source: SourceSchema}, {Header: "GeoX", Field: "Map reference X"},
				{Header: "COORDINATE", Field: "Map reference CRS", Source: SourceTruncated}, {Header: "TenureType", Field: "Tenure", Source: SourceSchema}},
		},
		repairs: map[layout][][2]string{
			codeLayout:   {{"Property\u2019s Name", RepairNBSP}, {"Property\u2019s Name", RepairMojibake}, {"Postcode", RepairNBSP}},
			schemaLayout: {{"PropertyName", RepairNBSP}, {"PropertyName", RepairMojibake}, {"PostCode", RepairNBSP}},
		},
		breach: wantProblem{rowBreach, "Tenure", "freehold or a leasehold"},
		json: map[layout]map[int]map[string]any{
			codeLayout: {rowMojibake: {"Property’s Name": "St Mary’s Hall"}, rowNA: {"UPRN": nil, MissingMember: map[string]any{"UPRN": "not applicable"}},
				rowRedacted: {MissingMember: map[string]any{"UPRN": "redacted"}}, 2: {"EASTING": e(2), "MI_STYLE": "Symbol (35,0,12)", "designatio": "Conservation area"}},
			schemaLayout: {rowNA2: {"GeoX": nil}, 10: {"GeoX": e(10), "COORDINATE": "OSGB36"}, 11: {"GeoY": num(lat(11))}},
		},
	}
}

// grantsCorpus: grants with a returned grant as a credit; the schema layout
// is 360Giving's.
func grantsCorpus() corpusFile {
	return corpusFile{template: &GrantsToVCSE,
		columns: []corpusColumn{
			{"", "Identifier", func(i int, _ layout) string { return fmt.Sprintf("360G-bdc-%04d", i) }},
			{"Date the grant was awarded", "Award Date", date},
			{"Time Period", "", fixed("12 months")},
			{"", "Planned Dates:Start Date", fixed("2024-04-01")},
			{"", "Planned Dates:End Date", fixed("2025-03-31")},
			{"Department", "Grant Programme:Title", fixed("Community grants")},
			{"Beneficiary", "Recipient Org:Name", supplierCell},
			{"Beneficiary\u2019s Registration Number", "Recipient Org:Charity Number", func(i int, _ layout) string {
				if i == rowNA {
					return "N/A"
				}
				return fmt.Sprint(1100000 + i)
			}},
			{"Summary_of", "Description", purposeCell},
			{"Amount", "AMOUNT_AWA", func(i int, _ layout) string { return amount(i, 800, 50) }},
			{"", "Currency", fixed("GBP")},
			{"Redaction reason", "Redaction reason", redactionCell},
		},
		mappings: map[layout][]FieldMatch{
			codeLayout: {{Header: "Summary_of", Field: "Purpose", Source: SourceTruncated}, {Header: "Beneficiary\u2019s Registration Number", Field: "Registration number"}},
			schemaLayout: {{Header: "Recipient Org:Name", Field: "Beneficiary", Source: SourceSchema}, {Header: "AMOUNT_AWA", Field: "Amount", Source: SourceTruncated},
				{Header: "Planned Dates:Start Date", Field: "Start date"}},
		},
		repairs: map[layout][][2]string{
			codeLayout:   {{"Beneficiary", RepairNBSP}, {"Amount", RepairMojibake}},
			schemaLayout: {{"Recipient Org:Name", RepairMojibake}, {"AMOUNT_AWA", RepairMojibake}},
		},
		warnings: map[layout][]wantProblem{
			codeLayout:   {{0, "Beneficiary", "exactly 30 characters"}},
			schemaLayout: {{0, "Date awarded", "read as US month/day dates"}},
		},
		breach: wantProblem{rowBreach, "Beneficiary", "no redaction reason"},
		json: map[layout]map[int]map[string]any{
			codeLayout:   {rowMinus: {"Amount": -1200.0}, 4: {"Date the grant was awarded": isoDay(4)}},
			schemaLayout: {rowCredit: {"AMOUNT_AWA": -750.0, "Award Date": usDateTime(rowCredit), "Planned Dates:End Date": "2025-03-31"}},
		},
	}
}
