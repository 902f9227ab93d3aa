package mongo_test

import (
	"net/url"
	"testing"

	"github.com/jointict/councilapi/store/mongo"
)

func withDatabase(uri, db string) string {
	u, err := url.Parse(uri)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + db
	return u.String()
}

func TestDatabaseName(t *testing.T) {
	for uri, want := range map[string]string{
		"mongodb://localhost:27017":                       "councilapi",
		"mongodb://localhost:27017/":                      "councilapi",
		"mongodb://u:p@db1,db2/ict?replicaSet=rs0":        "ict",
		"mongodb+srv://cluster.example.org/open_data?w=1": "open_data",
	} {
		if got := mongo.DatabaseName(uri); got != want {
			t.Errorf("DatabaseName(%q) = %q, want %q", uri, got, want)
		}
	}
}
