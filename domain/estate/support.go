package estate

import (
	"strings"
	"time"

	"github.com/jointict/councilapi/domain/procurement"
)

// SupportEntry is one product's vendor end of support: the last day the
// vendor ships security updates to everyone (Microsoft's "extended
// support", VMware's "end of general support", Red Hat's end of
// maintenance support).
type SupportEntry struct {
	Vendor       string           `json:"vendor"`
	Product      string           `json:"product"`
	EndOfSupport procurement.Date `json:"endOfSupport"`
	Source       string           `json:"source"`
	// names are the normalised spellings an estate register uses for it.
	names []string
}

// SupportTable is a dated, versioned list of end-of-support dates. The
// service ships one; an officer's date on an asset overrides it.
type SupportTable struct {
	Version string         `json:"version"`
	Checked string         `json:"checked"`
	Entries []SupportEntry `json:"entries"`
}

func d(y int, m time.Month, day int) procurement.Date { return procurement.NewDate(y, m, day) }

const (
	msLifecycle = "Microsoft Lifecycle Policy, https://learn.microsoft.com/lifecycle/products/"
	vmware      = "Broadcom (VMware) Product Lifecycle Matrix, https://support.broadcom.com/group/ecx/productlifecycle"
	redHat      = "Red Hat Enterprise Linux Life Cycle, https://access.redhat.com/support/policy/updates/errata"
)

// DefaultSupportTable is the table shipped with the service: well-known
// products of council estates. Add a product with its source; never edit a
// date without changing Version.
func DefaultSupportTable() SupportTable {
	e := func(vendor, product string, end procurement.Date, source string, names ...string) SupportEntry {
		all := []string{normalise(product)}
		for _, n := range names {
			all = append(all, normalise(n))
		}
		return SupportEntry{Vendor: vendor, Product: product, EndOfSupport: end, Source: source, names: all}
	}
	return SupportTable{Version: "2026-12", Checked: "2026-12-01", Entries: []SupportEntry{
		e("Microsoft", "Windows Server 2003", d(2015, 7, 14), msLifecycle+"windows-server-2003-", "Windows Server 2003 R2", "Windows 2003 Server", "Server 2003"),
		e("Microsoft", "Windows Server 2008", d(2020, 1, 14), msLifecycle+"windows-server-2008", "Windows Server 2008 R2", "Server 2008", "Server 2008 R2"),
		e("Microsoft", "Windows Server 2012", d(2023, 10, 10), msLifecycle+"windows-server-2012", "Windows Server 2012 R2", "Server 2012", "Server 2012 R2"),
		e("Microsoft", "Windows Server 2016", d(2027, 1, 12), msLifecycle+"windows-server-2016", "Server 2016"),
		e("Microsoft", "Windows Server 2019", d(2029, 1, 9), msLifecycle+"windows-server-2019", "Server 2019"),
		e("Microsoft", "Windows Server 2022", d(2031, 10, 14), msLifecycle+"windows-server-2022", "Server 2022"),
		e("Microsoft", "Windows XP", d(2014, 4, 8), msLifecycle+"windows-xp", "Windows XP Professional"),
		e("Microsoft", "Windows 7", d(2020, 1, 14), msLifecycle+"windows-7", "Windows 7 Professional", "Windows 7 Enterprise"),
		e("Microsoft", "Windows 10", d(2025, 10, 14), msLifecycle+"windows-10-enterprise-and-education", "Windows 10 Pro", "Windows 10 Enterprise", "Windows 10 22H2"),
		e("Microsoft", "Office 2007", d(2017, 10, 10), msLifecycle+"microsoft-office-2007", "Microsoft Office 2007", "Office Professional Plus 2007", "Office Standard 2007", "Office Enterprise 2007"),
		e("Microsoft", "Office 2010", d(2020, 10, 13), msLifecycle+"microsoft-office-2010", "Office Professional Plus 2010", "Office Standard 2010"),
		e("Microsoft", "Office 2013", d(2023, 4, 11), msLifecycle+"office-2013", "Office Professional Plus 2013", "Office Standard 2013"),
		e("Microsoft", "Office 2016", d(2025, 10, 14), msLifecycle+"office-2016", "Office Professional Plus 2016", "Office Standard 2016"),
		e("Microsoft", "Office 2019", d(2025, 10, 14), msLifecycle+"office-2019", "Office Professional Plus 2019", "Office Standard 2019"),
		e("Microsoft", "Exchange Server 2010", d(2020, 10, 13), msLifecycle+"exchange-server-2010", "Exchange 2010"),
		e("Microsoft", "Exchange Server 2013", d(2023, 4, 11), msLifecycle+"exchange-server-2013", "Exchange 2013"),
		e("Microsoft", "Exchange Server 2016", d(2025, 10, 14), msLifecycle+"exchange-server-2016", "Exchange 2016"),
		e("Microsoft", "Exchange Server 2019", d(2025, 10, 14), msLifecycle+"exchange-server-2019", "Exchange 2019"),
		e("Microsoft", "SQL Server 2008", d(2019, 7, 9), msLifecycle+"microsoft-sql-server-2008", "SQL Server 2008 R2"),
		e("Microsoft", "SQL Server 2012", d(2022, 7, 12), msLifecycle+"microsoft-sql-server-2012"),
		e("Microsoft", "SQL Server 2014", d(2024, 7, 9), msLifecycle+"sql-server-2014"),
		e("Microsoft", "SQL Server 2016", d(2026, 7, 14), msLifecycle+"sql-server-2016"),
		e("VMware", "vSphere 6.5", d(2022, 10, 15), vmware, "VMware vSphere 6.5", "ESXi 6.5", "VMware ESXi 6.5"),
		e("VMware", "vSphere 6.7", d(2022, 10, 15), vmware, "VMware vSphere 6.7", "ESXi 6.7", "VMware ESXi 6.7"),
		e("VMware", "vSphere 7.0", d(2025, 10, 2), vmware, "VMware vSphere 7", "vSphere 7", "ESXi 7.0", "VMware ESXi 7.0"),
		e("Red Hat", "Red Hat Enterprise Linux 6", d(2020, 11, 30), redHat, "RHEL 6"),
		e("Red Hat", "Red Hat Enterprise Linux 7", d(2024, 6, 30), redHat, "RHEL 7"),
	}}
}

// normalise folds case, punctuation and spacing, and drops a leading
// vendor name, so "Microsoft® Office 2007" finds "Office 2007".
func normalise(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	out := b.String()
	for _, v := range []string{"microsoft ", "vmware ", "red hat "} {
		out = strings.TrimPrefix(out, v)
	}
	return out
}

// Lookup finds the entry for a product as a register names it, trying the
// product alone and then with its version ("Windows Server" "2003 R2").
func (t SupportTable) Lookup(product, version string) (SupportEntry, bool) {
	for _, name := range []string{normalise(product), normalise(product + " " + version)} {
		for _, e := range t.Entries {
			for _, n := range e.names {
				if n == name || (strings.HasPrefix(name, n+" ") && n != "") {
					return e, true
				}
			}
		}
	}
	return SupportEntry{}, false
}
