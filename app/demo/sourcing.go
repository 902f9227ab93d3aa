package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain/money"
)

// sampleService is one line of the sample G-Cloud catalogue.
type sampleService struct {
	id, lot, supplier, name, desc string
	categories, features          []string
	min, max, unit, interval      string
	iso27001, cyberPlus           bool
}

// Lots as the Digital Marketplace names them.
const (
	hosting  = "cloud-hosting"
	software = "cloud-software"
	support  = "cloud-support"
)

// Service ids the comparison and the saved searches name.
const (
	m365Service   = "999000000000113"
	iaasService   = "999000000000101"
	daasService   = "999000000000110"
	backupService = "999000000000106"
)

// sampleServices are the sample's G-Cloud services: invented suppliers
// (each marked "(sample)") with prices of the order councils see.
var sampleServices = []sampleService{
	{iaasService, hosting, "Pennine Cloud Hosting Ltd", "Windows virtual servers (IaaS) in UK data centres", "Windows Server virtual machines of 2 to 16 vCPUs, patched and backed up, in two UK data centres.",
		[]string{"Compute and application hosting"}, []string{"UK-only data centres", "Daily backups kept 30 days"}, "0.19", "0.48", "Virtual machine", "Hour", true, true},
	{"999000000000102", hosting, "Pennine Cloud Hosting Ltd", "Managed Windows Server hosting", "Dedicated managed Windows servers with operating system support and monitoring.",
		[]string{"Compute and application hosting"}, []string{"24x7 monitoring", "Monthly patching"}, "95", "310", "Server", "Month", true, true},
	{"999000000000103", hosting, "Pennine Cloud Hosting Ltd", "S3-compatible object storage", "Object storage for archives and backups, replicated between two UK sites.",
		[]string{"Object storage"}, []string{"Versioning and object lock"}, "0.012", "0.02", "Gigabyte", "Month", true, false},
	{"999000000000104", hosting, "Trent Data Centres Ltd", "Private cloud on dedicated hosts", "A private VMware or Hyper-V cloud on hosts dedicated to the council.",
		[]string{"Compute and application hosting", "Private cloud"}, []string{"Dedicated hardware", "PSN connectivity"}, "1450", "2900", "Server", "Month", true, true},
	{"999000000000105", hosting, "Trent Data Centres Ltd", "Colocation with remote hands", "Rack space, power and cooling in a Tier III data centre near Derby, with remote hands.",
		[]string{"Data centre hosting"}, nil, "380", "620", "Unit", "Month", true, false},
	{backupService, hosting, "Chatsworth Backup Services Ltd", "Offsite backup for Microsoft 365 and servers", "Daily backup of mailboxes, OneDrive, SharePoint and Windows servers to UK storage.",
		[]string{"Archiving, backup and disaster recovery"}, []string{"Immutable copies", "Restore by the council's own staff"}, "1.80", "3.20", "User", "Month", true, true},
	{"999000000000107", hosting, "Chatsworth Backup Services Ltd", "Disaster recovery as a service", "Replication of the council's servers to a recovery site, with a yearly test.",
		[]string{"Archiving, backup and disaster recovery"}, []string{"Four-hour recovery time"}, "140", "260", "Server", "Month", true, true},
	{"999000000000108", hosting, "Erewash Networks Ltd", "Managed SD-WAN", "Software-defined wide area network linking council sites, managed around the clock.",
		[]string{"Networking"}, []string{"Dual circuits", "Central policy"}, "210", "480", "Device", "Month", true, true},
	{"999000000000109", hosting, "Erewash Networks Ltd", "Cloud firewall", "Next-generation firewall instances for internet and partner links.",
		[]string{"Networking", "Security"}, nil, "320", "900", "Instance", "Month", true, true},
	{daasService, hosting, "Derwent Digital Ltd", "Virtual desktops (desktop as a service)", "Windows 11 desktops hosted in UK data centres, reached from any device.",
		[]string{"Compute and application hosting"}, []string{"Works on thin clients", "Office apps included"}, "24", "38", "User", "Month", true, false},
	{"999000000000111", hosting, "Derwent Digital Ltd", "Managed Kubernetes platform", "Container hosting for the council's web applications.",
		[]string{"Platform as a service"}, nil, "0.09", "0.32", "Virtual machine", "Hour", true, false},
	{"999000000000112", hosting, "Hardwick Security Ltd", "Protective monitoring and SIEM", "Log collection, correlation and a security operations centre for council networks.",
		[]string{"Logging and analysis", "Security"}, []string{"NCSC-aligned use cases"}, "2100", "6500", "Unit", "Month", true, true},
	{m365Service, software, "Peak Productivity Ltd", "Microsoft 365 E3 licensing and support", "Microsoft 365 E3 licences under the public sector agreement, with a UK service desk.",
		[]string{"Office productivity", "Email"}, []string{"Public sector pricing", "Licence management"}, "19.60", "24.80", "User", "Month", true, true},
	{"999000000000114", software, "Peak Productivity Ltd", "Microsoft 365 Business Premium", "Microsoft 365 Business Premium for organisations of up to 300 users.",
		[]string{"Office productivity", "Email"}, nil, "16.40", "19.70", "User", "Month", true, true},
	{"999000000000115", software, "Amber Valley Software Ltd", "Planning and building control system", "Case management for planning applications, appeals and building control.",
		[]string{"Case management"}, []string{"Planning Portal integration"}, "9500", "24000", "Licence", "Year", true, false},
	{"999000000000116", software, "Amber Valley Software Ltd", "Revenues and benefits (SaaS)", "Council tax, business rates and housing benefit in one hosted system.",
		[]string{"Finance"}, []string{"DWP interfaces"}, "9.50", "12", "User", "Month", true, true},
	{"999000000000117", software, "Amber Valley Software Ltd", "Customer portal and online forms", "Online forms, payments and a customer account for council services.",
		[]string{"Customer relationship management (CRM)"}, nil, "6000", "15000", "Instance", "Year", true, false},
	{"999000000000118", software, "Dovedale IT Support Ltd", "IT service desk software", "Incident, request and change management for ICT teams.",
		[]string{"IT service management"}, nil, "32", "55", "User", "Month", false, false},
	{"999000000000119", software, "Hardwick Security Ltd", "Email security gateway", "Filtering of phishing, malware and spam before mail reaches Microsoft 365 or Exchange.",
		[]string{"Security", "Email"}, nil, "1.20", "2.60", "User", "Month", true, true},
	{"999000000000120", software, "Hardwick Security Ltd", "Endpoint detection and response", "Detection and response on laptops and servers, managed by a UK security team.",
		[]string{"Security"}, nil, "3.10", "5.40", "Device", "Month", true, true},
	{"999000000000121", software, "Derwent Digital Ltd", "Electronic document and records management", "Records management with retention schedules for council files.",
		[]string{"Document management"}, nil, "18", "26", "User", "Month", true, false},
	{"999000000000122", software, "Oxcroft Telecom Ltd", "Cloud telephony for Microsoft Teams", "Teams Phone with UK numbers, porting and call recording.",
		[]string{"Telephony"}, []string{"Number porting included"}, "6.50", "11", "User", "Month", false, true},
	{"999000000000123", software, "Oxcroft Telecom Ltd", "Contact centre", "Omnichannel contact centre for council customer services.",
		[]string{"Telephony", "Customer relationship management (CRM)"}, nil, "45", "79", "User", "Month", false, true},
	{"999000000000124", support, "High Peak Managed Services Ltd", "Microsoft 365 migration from Exchange and Office 2007", "Planning and migrating mailboxes, files and desktops from Exchange and Office 2007 to Microsoft 365.",
		nil, []string{"Fixed-price migration plans"}, "650", "950", "Person", "Day", true, true},
	{"999000000000125", support, "High Peak Managed Services Ltd", "Windows Server 2003 application migration", "Moving line-of-business applications off Windows Server 2003 to supported cloud hosting.",
		nil, nil, "700", "1050", "Person", "Day", true, true},
	{"999000000000126", support, "Dovedale IT Support Ltd", "Managed service desk", "First and second line support for council staff, 8am to 6pm.",
		nil, nil, "9", "16", "User", "Month", false, false},
	{"999000000000127", support, "Dovedale IT Support Ltd", "Cloud architect", "Design of hybrid and cloud architectures for local government.",
		nil, nil, "850", "1200", "Person", "Day", false, false},
	{"999000000000128", support, "Hardwick Security Ltd", "Penetration testing", "CHECK-team penetration tests of networks and web applications.",
		nil, nil, "950", "1350", "Person", "Day", true, true},
	{"999000000000129", support, "Derwent Digital Ltd", "Data migration and cleansing", "Extracting, cleansing and loading data from legacy council systems.",
		nil, nil, "600", "900", "Person", "Day", true, false},
	{"999000000000130", support, "Erewash Networks Ltd", "Network design and installation", "Survey, design and installation of LAN, Wi-Fi and WAN for council buildings.",
		nil, nil, "700", "980", "Person", "Day", true, true},
	{"999000000000131", support, "Trent Data Centres Ltd", "Data centre exit and decommissioning", "Moving out of a council server room: asset disposal, data destruction and certificates.",
		nil, nil, "620", "900", "Person", "Day", true, false},
	{"999000000000132", support, "Peak Productivity Ltd", "Microsoft 365 adoption and training", "Training and champions programmes for staff moving to Microsoft 365.",
		nil, nil, "550", "800", "Person", "Day", false, true},
}

// catalogueCSV is the sample catalogue as a Digital Marketplace CSV export.
// Its framework is open for as long as the sample's dates run, whatever
// day the demo is loaded.
func (l *loader) catalogueCSV() ([]byte, error) {
	expiry := l.today.AddDate(1, 6, 0).Format(time.DateOnly)
	rows := [][]string{{"id", "frameworkSlug", "frameworkExpiry", "lot", "supplierId", "supplierName", "companiesHouseNumber", "contactEmail",
		"website", "serviceName", "serviceDescription", "serviceFeatures", "serviceCategories", "priceMin", "priceMax", "priceUnit",
		"priceInterval", "standardsISOIEC27001", "cyberEssentials", "cyberEssentialsPlus", "dataStorageAndProcessingLocations",
		"energyEfficientDatacentres", "serviceDefinitionDocumentURL"}}
	suppliers := map[string]int{}
	for _, s := range sampleServices {
		if _, ok := suppliers[s.supplier]; !ok {
			suppliers[s.supplier] = len(suppliers) + 1
		}
		n := suppliers[s.supplier]
		locations := "uk"
		if s.lot == support {
			locations = ""
		}
		rows = append(rows, []string{s.id, "g-cloud-15", expiry, s.lot, fmt.Sprintf("99%04d", n), s.supplier + " (sample)", fmt.Sprintf("990000%02d", n),
			"gcloud-sample@example.org", "https://example.org/", s.name, "Sample service written by the councilapi project; the supplier is invented. " + s.desc,
			strings.Join(s.features, "|"), strings.Join(s.categories, "|"), s.min, s.max, s.unit, s.interval, yesNo(s.iso27001), "yes",
			yesNo(s.cyberPlus), locations, yesNo(s.lot == hosting), "https://example.org/councilapi-sample/" + s.id + ".pdf"})
	}
	return csvOf(rows)
}

// ComparisonTitle names the sample's comparison.
const ComparisonTitle = "Replacing Office 2007 and Windows Server 2003 (sample)"

// sourcingSample imports the catalogue, saves the officers' searches and
// makes the comparison behind the hosting procurement: decided by NEDDC's
// Cabinet and published, one supplier's quote withheld as exempt.
func (l *loader) sourcingSample(ctx context.Context) error {
	file, err := l.catalogueCSV()
	if err != nil {
		return err
	}
	rep, err := l.a.Sourcing.Import(ctx, actor, sourcing.ImportCSV, bytes.NewReader(file), "sample-g-cloud-catalogue.csv")
	if err != nil {
		return err
	}
	if rep.Rejected > 0 {
		return fmt.Errorf("the sample catalogue has rejected rows: %+v", rep.Problems)
	}
	if err := l.comparison(ctx); err != nil {
		return err
	}
	if err := l.searches(ctx); err != nil {
		return err
	}
	l.done = fmt.Sprintf("%d G-Cloud services, 3 saved searches, the comparison %q published", rep.Created, ComparisonTitle)
	return nil
}

func (l *loader) comparison(ctx context.Context) error {
	hosting := l.procurementIDs[HostingRef]
	assess := func(score, evidence string) map[string]string {
		return map[string]string{"score": score, "evidence": evidence}
	}
	body := map[string]any{
		"title": ComparisonTitle, "organisation": "neddc", "jointProcurement": hosting,
		"purpose": SampleNote + " To choose how the three councils replace Office 2007 and Windows Server 2003, out of support since 2017 and 2015, " +
			"before the hosting and Microsoft 365 procurement is awarded.",
		"risks": []string{"Line-of-business applications may need upgrades to run on Windows Server 2022 or later",
			"Staff need training before mailboxes move", "Network links to the data centre must be resilient"},
		"horizonYears": 5, "startYear": l.today.Year(),
		"drivers": []map[string]string{{"id": "users", "name": "Named users of the three councils", "unit": "users", "baseQuantity": "1000", "growthPerYear": "0.01"}},
		"onPremOptions": []map[string]any{{"id": "onprem", "name": "Refresh on premises: Windows Server 2022 and Office LTSC 2024",
			"servers": 8, "hardwareCapex": "96000", "refreshYears": 5, "residualValue": "0.1", "installation": "14000",
			"licencesOneOff": "262000", "licenceSupportRate": "0.15", "maintenancePerYear": "9500", "powerWatts": "3200",
			"electricityPricePerKwh": "0.28", "staffFte": "2.5", "staffCostPerFte": "48000", "facilitiesPerYear": "12000",
			"backupDrPerYear": "18000", "indexation": "0.03",
			"quality":     assess("55", "Known platform, but two server rooms to keep and no new Office features"),
			"socialValue": assess("40", "Keeps two infrastructure posts in the district")}},
		"cloudOptions": []map[string]any{
			{"id": "m365", "name": "Microsoft 365 E3 and hosted virtual servers", "serviceId": m365Service, "supplierName": "Peak Productivity Ltd (sample)",
				"priceMin": "19.60", "priceMax": "24.80", "priceUnit": "User", "priceInterval": "Month", "priceBasis": "min",
				"fixedQuantity": "0", "quantities": []map[string]string{{"driver": "users", "perUnit": "1"}},
				"onboarding": "6000", "staffFte": "1", "staffCostPerFte": "48000", "training": "15000", "networkChanges": "8000",
				"networkPerYear": "6000", "migration": "45000", "parallelRunningPerYear": "20000", "parallelRunningYears": 1, "exit": "10000",
				"otherCosts": []map[string]any{{"name": "Hosted virtual servers for the line-of-business applications (12 VMs)",
					"source": "Pennine Cloud Hosting Ltd (sample) quotation PCH-S-0412", "amount": "24000", "recurring": true}},
				"indexation": "0.03", "carbon": map[string]any{"provider": "azure", "vcpus": "48", "memoryGb": "192", "ssdTb": "6", "networkGbPerYear": "6000"},
				"quality":     assess("90", "Always the supported version; reference visits to two districts (sample)"),
				"socialValue": assess("60", "Supplier funds digital skills sessions in the three districts (sample)")},
			{"id": "iaas", "name": "Hosted virtual servers with Office LTSC 2024 and Exchange Server", "serviceId": iaasService,
				"supplierName": "Pennine Cloud Hosting Ltd (sample)", "priceMin": "0.19", "priceMax": "0.48", "priceUnit": "Virtual machine",
				"priceInterval": "Hour", "priceBasis": "quote", "quotePrice": "0.42", "fixedQuantity": "16", "onboarding": "5000",
				"staffFte": "2.2", "staffCostPerFte": "48000", "training": "4000", "networkChanges": "8000", "networkPerYear": "6000",
				"migration": "30000", "exit": "8000",
				"otherCosts": []map[string]any{
					{"name": "Office LTSC 2024 Standard and Exchange Server licences for 1,000 users", "source": "Reseller price list (sample)", "amount": "410000"},
					{"name": "Licence support (Software Assurance)", "source": "Reseller price list (sample)", "amount": "61500", "recurring": true}},
				"indexation": "0.025", "carbon": map[string]any{"provider": "azure", "vcpus": "64", "memoryGb": "256", "ssdTb": "8", "networkGbPerYear": "6000"},
				"quality":     assess("60", "Servers leave the server rooms, but Office and Exchange stay to patch and licence again at the next refresh"),
				"socialValue": assess("50", "Carbon reduction plan published (PPN 06/21)")},
			{"id": "daas", "name": "Virtual desktops with hosted servers", "serviceId": daasService, "supplierName": "Derwent Digital Ltd (sample)",
				"priceMin": "24", "priceMax": "38", "priceUnit": "User", "priceInterval": "Month", "priceBasis": "quote", "quotePrice": "27.50",
				"fixedQuantity": "0", "quantities": []map[string]string{{"driver": "users", "perUnit": "1"}},
				"onboarding": "12000", "staffFte": "1", "staffCostPerFte": "48000", "training": "12000", "networkChanges": "15000",
				"networkPerYear": "9000", "migration": "60000", "exit": "15000", "indexation": "0.03",
				"carbon":      map[string]any{"declaredKwhPerYear": "21000", "declaredEmbodiedKgCO2ePerYear": "900"},
				"quality":     assess("70", "Any device works, but every session depends on the network"),
				"socialValue": assess("45", "Two apprenticeships a year (sample)")},
		},
		"weights":           map[string]string{"price": "60", "quality": "20", "socialValue": "10", "environment": "10"},
		"recommendedOption": "m365",
		"rejectionReasons": map[string]string{
			"onprem": "Costs more over five years, keeps two server rooms running and is the highest-carbon option.",
			"iaas":   "Moves the servers but leaves an Office estate to licence and patch again at the next refresh.",
			"daas":   "Depends on every council's network for every working minute, and costs more than Microsoft 365.",
		},
	}
	var in sourcing.ComparisonInput
	if err := decoder(body)(&in); err != nil {
		return fmt.Errorf("the sample comparison: %w", err)
	}
	c, err := l.a.Sourcing.CreateComparison(ctx, actor, in)
	if err != nil {
		return fmt.Errorf("the sample comparison: %w", err)
	}
	if _, err := l.a.Sourcing.MarkExempt(ctx, actor, c.ID, 0, sourcing.ExemptInput{Field: "options.daas", Paragraph: 3,
		Reason: "The supplier's quotation is commercially confidential until the contract is awarded (sample)."}); err != nil {
		return fmt.Errorf("marking the quote exempt: %w", err)
	}
	decided := l.daysAgo(20)
	if _, err := l.a.Sourcing.Decide(ctx, actor, c.ID, 0, sourcing.DecisionInput{By: "NEDDC Cabinet", Reference: "PW/SAMPLE/15/NB", At: &decided,
		Decision: "Procure Microsoft 365 E3 and hosted virtual servers for the three councils through the Joint ICT Service (sample)"}); err != nil {
		return fmt.Errorf("deciding the sample comparison: %w", err)
	}
	if _, err := l.a.Sourcing.Publish(ctx, actor, c.ID, 0); err != nil {
		return fmt.Errorf("publishing the sample comparison: %w", err)
	}
	// The procurement names the comparison it came from.
	if _, err := l.a.Procurement.Patch(ctx, actor, hosting, 0, decoder(map[string]string{"comparison": c.ID})); err != nil {
		return fmt.Errorf("linking %s to the comparison: %w", HostingRef, err)
	}
	return nil
}

// searches saves the officers' searches: NEDDC's shortlist of Microsoft 365
// resellers, exported (and so locked), and BDC's offsite backup search,
// exported and awarded.
func (l *loader) searches(ctx context.Context) error {
	type search struct {
		org, name, query string
		outcome          *sourcing.OutcomeInput
	}
	start := l.daysAgo(60).Format(time.DateOnly)
	sme := true // the sample backup supplier is a small company
	for _, s := range []search{
		{"neddc", "Microsoft 365 licensing (sample)", "q=Microsoft 365&lot=cloud-software", nil},
		{"neddc", "Firewalls (sample)", "q=firewall", nil},
		{"bdc", "Offsite backup (sample)", "q=backup&lot=cloud-hosting", &sourcing.OutcomeInput{Result: "awarded", ServiceID: backupService,
			ContractValue: money.Pounds(16200), StartDate: start, EndDate: l.daysAgo(60).AddDate(3, 0, -1).Format(time.DateOnly),
			BuyingOrganisation: "bdc", SupplierSME: &sme}},
	} {
		saved, err := l.a.Sourcing.CreateSavedSearch(ctx, actor, sourcing.SavedSearchInput{Name: s.name, Query: s.query, Organisation: s.org})
		if err != nil {
			return fmt.Errorf("saved search %q: %w", s.name, err)
		}
		if s.name == "Firewalls (sample)" {
			continue // saved, not yet exported
		}
		if _, err := l.a.Sourcing.Export(ctx, actor, saved.ID); err != nil {
			return fmt.Errorf("exporting %q: %w", s.name, err)
		}
		if s.outcome != nil {
			if _, err := l.a.Sourcing.RecordOutcome(ctx, actor, saved.ID, 0, *s.outcome); err != nil {
				return fmt.Errorf("the outcome of %q: %w", s.name, err)
			}
		}
	}
	return nil
}
