package gemini

import "time"

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

var traffordGIS = Party{
	Organisation: "Trafford Council",
	Email:        "opendata@trafford.gov.uk",
	Position:     "GIS Team",
	Role:         "pointOfContact",
}

// traffordTrees is the Trafford highway trees dataset (15,638 points) as a
// council publishes it: a GeoJSON download plus the OGC API collection.
func traffordTrees() DatasetRecord {
	return DatasetRecord{
		FileIdentifier: "6f1c3e0a-8d2b-4c57-9a41-3b2e7d9c5f10",
		Title:          "Trafford highway trees",
		Abstract: "Location and species of the 15,638 trees on the adopted highway in Trafford, maintained by the " +
			"council's arboricultural team. Each point records the tree's identifier, species and street. " +
			"Use it to plan street works, study canopy cover or report a tree that needs attention.",
		TopicCategories: []string{"environment", "biota"},
		Keywords: []KeywordSet{
			InspireThemes("Species distribution"),
			{Keywords: []string{"trees", "highways", "street trees", "Trafford"}},
		},
		TemporalExtent: TemporalExtent{Begin: "2017-06-01"},
		ReferenceDates: []ReferenceDate{
			{Type: "creation", Date: day("2017-06-01")},
			{Type: "publication", Date: day("2018-02-14")},
			{Type: "revision", Date: day("2024-03-05")},
		},
		Lineage: "Surveyed on site by the council's arboricultural officers from 2017 and kept up to date as trees " +
			"are planted or felled. Positions captured by GPS in British National Grid and published in WGS84.",
		BBox:                    BBox{West: -2.4396, East: -2.2576, South: 53.3595, North: 53.4710},
		SpatialReferenceSystems: []string{CRSBritishNationalGrid, CRSETRS89},
		SpatialResolution:       SpatialResolution{DistanceMetres: 1},
		ResourceLocators: []ResourceLocator{
			{URL: "https://data.trafford.gov.uk/datasets/highway-trees/trees.geojson", Name: "trees.geojson",
				Description: "Download all trees as GeoJSON", Function: "download"},
			{URL: "https://data.trafford.gov.uk/ogc/collections/highway-trees", Name: "highway-trees",
				Description: "OGC API - Features collection", Protocol: "OGC API - Features", Function: "download"},
			{URL: "https://data.trafford.gov.uk/datasets/highway-trees", Name: "Dataset page",
				Description: "About this dataset", Function: "information"},
		},
		DataFormats:             []DataFormat{{Name: "GeoJSON", Version: "RFC 7946"}, {Name: "CSV"}},
		ResponsibleOrganisation: traffordGIS,
		UpdateFrequency:         "monthly",
		MetadataDate:            day("2024-03-05"),
		MetadataContact:         traffordGIS,
		ResourceIdentifier: Identifier{Code: "highway-trees",
			CodeSpace: "https://data.trafford.gov.uk/id/dataset/"},
		SpatialRepresentationType: "vector",
	}
}

var nedGIS = Party{
	Organisation: "North East Derbyshire District Council",
	Email:        "gis@ne-derbyshire.gov.uk",
	Role:         "custodian",
}

// nedWards is North East Derbyshire's 2013 ward boundaries (25 polygons).
func nedWards() DatasetRecord {
	return DatasetRecord{
		FileIdentifier: "0b7a6f0e-2c4d-4d1e-8f3a-5e9b1c2d3a4f",
		Title:          "North East Derbyshire ward boundaries (2013)",
		Abstract: "Boundaries of the 25 electoral wards of North East Derbyshire District as set by the 2013 " +
			"review, with the ONS ward code and name of each. Contains OS data © Crown copyright and database right.",
		TopicCategories: []string{"boundaries"},
		Keywords: []KeywordSet{
			InspireThemes("Administrative units"),
			{Keywords: []string{"wards", "elections", "boundaries"}},
		},
		TemporalExtent:          TemporalExtent{Begin: "2013-05-02", End: "2019-05-01"},
		ReferenceDates:          []ReferenceDate{{Type: "publication", Date: day("2013-05-02")}},
		Lineage:                 "Digitised from the Local Government Boundary Commission for England's final recommendations.",
		BBox:                    BBox{West: -1.5993, East: -1.2820, South: 53.1033, North: 53.3420},
		SpatialReferenceSystems: []string{CRSBritishNationalGrid},
		SpatialResolution:       SpatialResolution{ScaleDenominator: 10000},
		ResourceLocators: []ResourceLocator{
			{URL: "https://data.ne-derbyshire.gov.uk/ogc/collections/wards-2013", Name: "wards-2013",
				Protocol: "OGC API - Features", Function: "download"},
		},
		DataFormats:             []DataFormat{{Name: "GeoJSON"}},
		ResponsibleOrganisation: nedGIS,
		MetadataDate:            day("2024-01-10"),
		MetadataContact:         nedGIS,
		ResourceIdentifier: Identifier{Code: "wards-2013",
			CodeSpace: "https://data.ne-derbyshire.gov.uk/id/dataset/"},
		Conformity: []Conformity{{Degree: NotConformant,
			Explanation: "Not yet transformed to the INSPIRE Administrative Units application schema."}},
		SpatialRepresentationType: "vector",
	}
}

func traffordService() ServiceRecord {
	return ServiceRecord{
		FileIdentifier: "c2d7e5a1-9f3b-4e8c-b6a2-7d1e0f4c3b59",
		Title:          "Trafford Council OGC API - Features download service",
		Abstract: "An OGC API - Features service giving direct access to Trafford Council's published spatial " +
			"datasets, such as highway trees, conservation areas and listed buildings, as GeoJSON.",
		Keywords: []KeywordSet{
			{Keywords: []string{"infoFeatureAccessService"}, Thesaurus: Thesaurus{
				Title: "Classification of spatial data services", Date: "2008-12-03"}},
			{Keywords: []string{"OGC API", "Trafford"}},
		},
		ReferenceDates:          []ReferenceDate{{Type: "publication", Date: day("2024-03-01")}},
		BBox:                    BBox{West: -2.4781, East: -2.2530, South: 53.3575, North: 53.4806},
		SpatialReferenceSystems: []string{CRSETRS89, CRSBritishNationalGrid},
		ResourceLocators: []ResourceLocator{{URL: "https://data.trafford.gov.uk/ogc/",
			Name: "Landing page", Protocol: "OGC API - Features", Function: "download"}},
		DataFormats:             []DataFormat{{Name: "GeoJSON", Version: "RFC 7946"}},
		ResponsibleOrganisation: traffordGIS,
		MetadataDate:            day("2024-03-05"),
		MetadataContact:         traffordGIS,
		OperatesOn: []CoupledResource{{
			FileIdentifier: "6f1c3e0a-8d2b-4c57-9a41-3b2e7d9c5f10",
			RecordURL:      "https://data.trafford.gov.uk/inspire/records/6f1c3e0a-8d2b-4c57-9a41-3b2e7d9c5f10.xml",
			Title:          "Trafford highway trees",
		}},
	}
}
