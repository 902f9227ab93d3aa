package ogc

import (
	"bytes"
	"encoding/json"
)

// Properties decodes the properties of the feature at ordinal ord, as CQL2
// filters and sortby read them (numbers as float64). It costs a JSON
// decode of the properties member alone: callers narrow candidates first.
func (ix *Index) Properties(ord uint32) (map[string]any, error) {
	f := ix.Encoded(ord)
	// The geometry holds no strings that could contain the marker and the
	// id before it is an escaped string, so the first marker is the member.
	const marker = `,"properties":`
	var props map[string]any
	if i := bytes.Index(f, []byte(marker)); i >= 0 {
		err := json.Unmarshal(f[i+len(marker):len(f)-1], &props)
		return props, err
	}
	var whole struct {
		Properties map[string]any `json:"properties"`
	}
	err := json.Unmarshal(f, &whole)
	return whole.Properties, err
}
