package opendata

// The headings below come from the Local Government Transparency Code 2015
// (the Code's own words), the LGA's open data "spend" schema (the PascalCase
// names, as councils such as Hounslow, Camden, Cheshire East, Lincolnshire
// and Trafford publish them) and the headings other councils' files use, as
// collected by aggregators of council spending. Headings are compared
// folded, so "Payment Date", "PAYMENT_DATE" and "payment date" are one.

// Fields shared by spend and card files, and by other templates.
var (
	organisationName = TemplateColumn{Name: "Organisation name", Code: []string{"Body Name", "Body", "Organisation",
		"Local Authority", "Council"}, Schema: []string{"OrganisationLabel", "OrganisationName"}, Blank: true, Kind: KindText}
	organisationURI = TemplateColumn{Name: "Organisation URI", Schema: []string{"OrganisationURI", "OrganisationCode"},
		Variants: []string{"Body Ref", "Organisation Code", "Organisation ID"}, Blank: true, Kind: KindText}
	department = TemplateColumn{Name: "Department", Code: []string{"Local Authority Department",
		"Department which incurred the expenditure", "Department Incurring Expenditure", "Department/Service",
		"Department or service where expenditure occurred", "Service Area", "Directorate"},
		Schema: []string{"OrganisationalUnit"},
		Variants: []string{"Service", "Expense Area", "Service Division", "Service Area Categorisation", "Responsible Department",
			"Department Responsible", "Responsible Unit", "Service Division Categorisation", "Cost Centre",
			"Cost Centre Description", "Cost Centre Name", "Division", "Portfolio", "Service Label", "LA Department",
			"Organisation Unit", "Organisational Structure Tier 1", "Directorate / Service where expenditure incurred",
			"Cost Centre Hierarchy - Directorate", "Division of Service", "Group", "Business Unit"},
		Required: true, Kind: KindText}
	irrecoverableVAT = TemplateColumn{Name: "Irrecoverable VAT", Code: []string{"VAT that cannot be recovered",
		"Value Added Tax that cannot be recovered", "Irrecoverable VAT Amount"},
		Schema: []string{"IrrecoverableVATAmount", "IrrecoverableVAT"},
		Variants: []string{"Non-recoverable VAT", "Non Recoverable VAT", "Unrecoverable VAT", "VAT Irrecoverable",
			"VAT not recoverable", "Non Recoverable", "Irrecoverable VAT Amount GBP", "Irrecoverable VAT Amount (£)",
			"Unclaimed VAT", "VAT Non Recoverable", "Non-Recoverable VAT Amount"},
		Required: true, Blank: true, Kind: KindAmount}
	redactionReason = TemplateColumn{Name: "Redaction reason", Code: []string{"Reason for Redaction"},
		Variants: []string{"RedactionReason", "Redaction Necessary", "Redaction", "Redacted", "Redaction Comment", "Redaction Flag", "Reason Redacted"},
		Blank:    true, Kind: KindRedaction}
	supplierID = TemplateColumn{Name: "Supplier ID", Schema: []string{"BeneficiaryOtherID", "BeneficiaryID", "SupplierID"},
		Variants: []string{"Supplier Number", "Supplier No", "Supplier Ref", "Supplier Reference", "Vendor ID", "Vendor Number",
			"Creditor Number", "Creditor ID", "Ap/Ar ID", "Supplier_Number", "SAP Vendor Number", "Payee ID"},
		Blank: true, Kind: KindText}
	supplierCompany = TemplateColumn{Name: "Supplier company number", Code: []string{"Company Registration Number"},
		Schema:   []string{"BeneficiaryCompanyRegistrationNumber", "BeneficiaryRegistrationNumber", "BeneficiaryCompanyNumber"},
		Variants: []string{"Company Number", "Companies House Number", "Supplier Company Number", "Company Reg No"},
		Blank:    true, Kind: KindRegistration}
	supplierCharity = TemplateColumn{Name: "Supplier charity number", Code: []string{"Charity Registration Number"},
		Schema:   []string{"BeneficiaryCharityNumber", "BeneficiaryCharityRegistrationNumber"},
		Variants: []string{"Charity Number", "Charity No", "Registered Charity Number"},
		Blank:    true, Kind: KindRegistration}
	vatNumber = TemplateColumn{Name: "VAT registration number", Schema: []string{"VATRegistrationNumber"},
		Variants: []string{"VAT Number", "VAT Reg No", "Supplier VAT Number"}, Blank: true, Kind: KindText}
	transactionNumber = TemplateColumn{Name: "Transaction number", Code: []string{"Transaction No"},
		Schema: []string{"TransactionNumber"},
		Variants: []string{"Transaction ID", "Transaction Reference", "Transaction Ref", "Trans No", "TransNo",
			"Payment Reference", "Payment Reference Number", "Payment Number", "Invoice Number", "Invoice No", "Reference",
			"Unique Identifier", "Unique Reference", "Document Number", "Doc No", "Over £500 Report Ref", "Ref"},
		Blank: true, Kind: KindText}
	procurementCode = TemplateColumn{Name: "Procurement category code", Schema: []string{"ProclassCode", "ProClassCode"},
		Variants: []string{"Proclass Code level1", "CPV Code", "Procurement Category Code"}, Blank: true, Kind: KindText}
	expenditureCode = TemplateColumn{Name: "Expenditure code", Code: []string{"CIPFA Expenditure Code"},
		Schema:   []string{"ExpenditureCode", "ExpenseCode"},
		Variants: []string{"Expense Code", "Account Code", "Account", "Subjective Code", "Cost Code", "Nominal Code", "GL Code"},
		Blank:    true, Kind: KindText}
	serviceCategory = TemplateColumn{Name: "Service category", Schema: []string{"ServiceCategoryLabel", "ServiceCategoryURI"},
		Variants: []string{"Service Category", "CIPFA Service", "SeRCOP Service"}, Blank: true, Kind: KindText}
	effectiveDate = TemplateColumn{Name: "Effective date", Schema: []string{"EffectiveDate"}, Blank: true, Kind: KindDate}

	spendDateNames = []string{"Payment Date", "Date Paid", "Paid Date", "Invoice Date", "Expenditure Date", "Posting Date",
		"Posted Date", "Posted Fiscal Date", "Entry Date", "Pay Date", "Trans Date", "Date of Transaction", "Actual Payment Date",
		"Payment Date - G/L Date", "Accounting Date", "Document Date", "Date (Posting Date)", "Date Incurred - Payment Date",
		"Clearing Date", "Effective Date"}
	supplierNames = []string{"Supplier Name", "Supplier's Name", "Payee", "Payee Name", "Vendor", "Vendor Name", "Creditor", "Creditor Name",
		"Recipient", "Recipient Name", "Supplier Description", "Published Supplier Name", "Final Supplier Name",
		"Amended Supplier Name", "Reported Beneficiary", "Updated Beneficiary", "Supplier (Beneficiary) Name", "Ap/Ar ID(T)",
		"Supplier Name (Redacted)", "Name of Supplier"}
	amountNames = []string{"Value", "Total", "Gross Amount", "Amount Paid", "Net Value", "Payment Amount", "Transaction Amount",
		"Total Amount", "Expenditure Amount (exc VAT)", "£ Spend (excluding VAT)", "Amount £ (excl VAT)", "Amount £ (ex VAT)",
		"Amount (excluding VAT)", "Amount excl VAT", "Net", "Invoice Amount", "Invoice Line Amount", "Distribution Amount",
		"Amount GBP", "Net Amount GBP", "Amount (GBP)", "SumOfAmount_Exc_VAT", "Invoice Nett Amount", "Line Amount", "Spend"}
	purposeNames = []string{"Purpose of Spend", "Purpose of Expenditure (narrative)", "Expense Type", "Expenditure Type",
		"Description", "Expense Description", "Subjective Description", "Subjective Name", "Account Description", "Detailed Expense Type",
		"Narrative", "Activity", "Spend Type", "Expenses Type", "Nominal Description", "GL Account Description",
		"Subj Description", "Subjective", "Transaction Description", "Details"}
	categoryNames = []string{"Merchant Category Code", "MCC", "Merchant Type", "Category", "Expenditure Category",
		"Proclass Category", "Proclass", "ProclassLabel level1", "Supplier Category", "Classification", "Category Internal Name",
		"Procurement Classification", "Spend Category"}
)

// SpendOver500 is the Code's "expenditure exceeding £500" (paragraph 23):
// date, department, beneficiary, purpose, amount, irrecoverable VAT and
// merchant category, with the LGA spend schema's other fields recognised.
var SpendOver500 = Template{ID: "spend-over-500", Title: "Expenditure exceeding £500", Schema: "lga", SchemaTitle: "LGA spend schema",
	Columns: []TemplateColumn{
		organisationName, organisationURI, effectiveDate, serviceCategory,
		{Name: "Date", Code: []string{"Transaction Date", "Date Incurred", "Date the expenditure was incurred"},
			Schema: []string{"PaymentDate"}, Variants: spendDateNames, Required: true, Kind: KindDate},
		department,
		{Name: "Supplier name", Code: []string{"Beneficiary", "Supplier", "Supplier (beneficiary)", "Beneficiary Name"},
			Schema: []string{"BeneficiaryName"}, Variants: supplierNames, Required: true, Redactable: true, Kind: KindText, WatchCut: true},
		supplierID, supplierCompany, supplierCharity, vatNumber,
		{Name: "Purpose", Code: []string{"Summary of Purpose", "Summary of the purpose of the expenditure", "Purpose of Expenditure"},
			Schema: []string{"Purpose"}, Variants: purposeNames, Required: true, Redactable: true, Kind: KindText},
		{Name: "Amount", Code: []string{"Net Amount", "Amount (£)", "Amount £", "Amount excluding VAT"}, Schema: []string{"Amount"},
			Variants: amountNames, Required: true, Kind: KindAmount, Threshold: 500},
		irrecoverableVAT,
		{Name: "Merchant category", Code: []string{"Merchant Category", "Procurement Category"},
			Schema: []string{"ProclassLabel", "ProClassLabel", "ProcurementCategory", "MerchantCategory"}, Variants: categoryNames,
			Required: true, Blank: true, Kind: KindText},
		procurementCode, expenditureCode, transactionNumber, redactionReason,
	}}

// ProcurementCardTransactions is the Code's "Government Procurement Card
// transactions" (paragraph 24): every card transaction, whatever its value,
// with the same fields as spend over £500. The LGA publishes one spend
// schema for both, so its names are recognised here too, with the card
// statements' own headings (Merchant Name, MCC).
var ProcurementCardTransactions = Template{ID: "procurement-card-transactions", Title: "Government Procurement Card transactions",
	Schema: "lga", SchemaTitle: "LGA spend schema",
	Columns: []TemplateColumn{
		organisationName, organisationURI, effectiveDate, serviceCategory,
		{Name: "Transaction date", Code: []string{"Date of the transaction", "Date", "Transaction Date"},
			Schema: []string{"PaymentDate", "TransactionDate"}, Variants: append([]string{"Card Transaction Date", "Trans Date",
				"Purchase Date", "Statement Date"}, spendDateNames...), Required: true, Kind: KindDate},
		department,
		{Name: "Merchant name", Code: []string{"Beneficiary", "Merchant", "Supplier", "Merchant Name"},
			Schema: []string{"BeneficiaryName", "MerchantName"}, Variants: append([]string{"Merchant's Name", "Card Merchant", "Merchant Description"},
				supplierNames...), Required: true, Redactable: true, Kind: KindText, WatchCut: true},
		supplierID, vatNumber,
		{Name: "Purpose", Code: []string{"Summary of Purpose", "Summary of the purpose of the expenditure", "Purpose of Expenditure"},
			Schema: []string{"Purpose"}, Variants: purposeNames, Required: true, Redactable: true, Kind: KindText},
		{Name: "Amount", Code: []string{"Net Amount", "Amount (£)", "Amount £", "Transaction Amount"}, Schema: []string{"Amount"},
			Variants: append([]string{"Card Amount", "Billing Amount", "Original Amount"}, amountNames...), Required: true, Kind: KindAmount},
		irrecoverableVAT,
		{Name: "Merchant category", Code: []string{"Merchant Category", "Merchant Category Code", "MCC"},
			Schema:   []string{"MerchantCategory", "MerchantCategoryCode", "ProclassLabel"},
			Variants: append([]string{"MCC Description", "Merchant Category Description", "MCC Code"}, categoryNames...),
			Required: true, Kind: KindText},
		{Name: "Card holder", Schema: []string{"CardHolder"}, Variants: []string{"Cardholder", "Card Holder Name", "Card Number"},
			Blank: true, Kind: KindText},
		transactionNumber, redactionReason,
	}}
