package ogc

import "encoding/json"

// Properties decodes the properties of the feature at ordinal ord, as CQL2
// filters and sortby read them (numbers as float64). It reads the encoded
// feature, so it costs a JSON decode: callers narrow candidates first.
func (ix *Index) Properties(ord uint32) (map[string]any, error) {
	var f struct {
		Properties map[string]any `json:"properties"`
	}
	err := json.Unmarshal(ix.Encoded(ord), &f)
	return f.Properties, err
}
