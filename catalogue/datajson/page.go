package datajson

import (
	"bytes"
	"encoding/json"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/index"
)

// The documents are written as json.MarshalIndent(Build(base, page), "",
// " ") writes them. A page is mostly its datasets, and a dataset's JSON is
// the same on every request until the dataset changes, so the server keeps
// each one as MarshalDataset makes it and MarshalPage joins them.

// MarshalDataset is the dataset of e as a page holds it (indented for its
// place in the "dataset" array).
func MarshalDataset(e catalogue.Entry) ([]byte, error) {
	return json.MarshalIndent(FromEntry(e), "  ", " ")
}

// KeptDataset is an item's dataset as MarshalDataset makes it, kept packed
// in the item's memo for the base URL and version of the publisher it
// depends on.
func KeptDataset(it index.Item, base string) catalogue.Packed {
	return catalogue.Memoise(it.Memo, "datajson", base+"\x00"+it.PublisherStamp, func() catalogue.Packed {
		return catalogue.Pack(MarshalDataset(it.Entry.OnBase(base)))
	})
}

// MarshalPage writes a page from its datasets as MarshalDataset made them
// (packed), each decoded straight into the page: the bytes of
// json.MarshalIndent(Build(base, page), "", " ").
func MarshalPage(base string, datasets []catalogue.Packed) ([]byte, error) {
	head, err := json.MarshalIndent(Build(base, nil), "", " ")
	if err != nil || len(datasets) == 0 {
		return head, err
	}
	// head ends with the empty array of the last member: "dataset": []\n}
	open := bytes.LastIndex(head, []byte("[]"))
	size := len(head) + 8
	for _, d := range datasets {
		size += d.Len() + 4
	}
	b := make([]byte, 0, size)
	b = append(b, head[:open]...)
	b = append(b, "[\n  "...)
	for i, d := range datasets {
		if i > 0 {
			b = append(b, ",\n  "...)
		}
		if b, err = d.AppendTo(b); err != nil {
			return nil, err
		}
	}
	return append(b, "\n ]\n}"...), nil
}
