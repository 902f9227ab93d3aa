package ingest

import (
	"strings"
	"testing"
)

// TestGMLIDScanAgreesWithReader: the tag-only scan must find the features
// the reader finds, whatever sits between the tags.
func TestGMLIDScanAgreesWithReader(t *testing.T) {
	doc := `<?xml version="1.0"?>
<!-- a comment with <gml:featureMember><x gml:id="fake"/></gml:featureMember> -->
<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:a="urn:a">
 <wfs:member><a:site gml:id='s.1' a:note="1 > 0"><a:n><![CDATA[<wfs:member><a:site gml:id="cdata"/></wfs:member>]]></a:n>
  <a:g><gml:Point srsName="EPSG:27700"><gml:pos>380000 390000</gml:pos></gml:Point></a:g></a:site></wfs:member>
 <wfs:member/>
 <wfs:member><a:site fid="s.2"><a:source_id>x</a:source_id><a:g><gml:Point srsName="EPSG:27700"><gml:pos>380001 390000</gml:pos></gml:Point></a:g></a:site></wfs:member>
 <wfs:member><a:site gml:id="s.1"><a:g><gml:Point srsName="EPSG:27700"><gml:pos>380002 390000</gml:pos></gml:Point></a:g></a:site></wfs:member>
</wfs:FeatureCollection>`
	fs, rep := readAll(t, openBytes(t, FormatGML, doc, Options{}))
	if len(fs) != 3 || fs[0].SourceID != "s.1" || fs[1].SourceID != "s.2" {
		t.Fatalf("features %+v", fs)
	}
	ids := rep.IDs
	if ids.Rule != IDsByPosition || ids.Repeated != 1 || ids.Example != "s.1" || ids.Property != "source_id_1" {
		t.Errorf("ids %+v", ids)
	}
	if fs[1].Properties["source_id"] != "x" || fs[1].Properties["source_id_1"] != "s.2" || !strings.Contains(ids.Message, `"s.1"`) {
		t.Errorf("feature 1 %+v; %s", fs[1].Properties, ids.Message)
	}
}
