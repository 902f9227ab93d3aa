package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testoidc"
)

func TestHelpListsTheSignInFlagsButNeverTheSecret(t *testing.T) {
	cmd := exec.Command(binary, "--help")
	cmd.Env = append(os.Environ(), "COUNCILAPI_OIDC_CLIENT_SECRET=do-not-print-me")
	out, _ := cmd.CombinedOutput()
	for _, want := range []string{"session-idle", "COUNCILAPI_SESSION_IDLE", "session-max", "oidc-issuer", "COUNCILAPI_OIDC_ISSUER",
		"oidc-client-id", "oidc-client-secret", "COUNCILAPI_OIDC_CLIENT_SECRET", "oidc-redirect-url", "oidc-label",
		"oidc-role-claim", "oidc-roles", "oidc-org-claim", "oidc-orgs"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("--help does not mention %s", want)
		}
	}
	if strings.Contains(string(out), "do-not-print-me") {
		t.Fatal("--help prints the OpenID Connect client secret from the environment")
	}
}

func TestABadClaimMappingStopsTheServerAtStart(t *testing.T) {
	cmd := exec.Command(binary, "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--oidc-issuer", "https://login.example.com/t/v2.0",
		"--oidc-client-id", "app", "--oidc-roles", "CouncilAPI.Officer=superuser")
	cmd.Env = append(os.Environ(), "MONGODB_URI=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "superuser") ||
		!strings.Contains(stderr.String(), "oidc-org-claim") {
		t.Fatalf("exit %v, stderr:\n%s", err, stderr.String())
	}
}

// TestOIDCSignInThroughTheBinary configures OpenID Connect from the
// environment, as a container would be, and signs in through the test
// provider with a cookie-keeping client.
func TestOIDCSignInThroughTheBinary(t *testing.T) {
	prov := testoidc.New(t, "councilapi-binary", "binary-secret")
	prov.SignInAs(map[string]any{"sub": "entra-42", "name": "Pat Jones", "roles": []string{"CouncilAPI.Publisher"}, "tid": "tenant-ned"})
	for k, v := range map[string]string{"COUNCILAPI_OIDC_ISSUER": prov.Issuer, "COUNCILAPI_OIDC_CLIENT_ID": prov.ClientID,
		"COUNCILAPI_OIDC_CLIENT_SECRET": prov.ClientSecret, "COUNCILAPI_OIDC_ROLES": "CouncilAPI.Publisher=publisher",
		"COUNCILAPI_OIDC_ORG_CLAIM": "tid", "COUNCILAPI_OIDC_ORGS": "tenant-bdc=bdc,tenant-ned=neddc"} {
		t.Setenv(k, v)
	}
	p := start(t, t.TempDir(), "--session-idle", "45m")
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", p.url+path, nil)
		req.Header.Set("Accept", "text/html")
		res, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if _, page := get("/signin"); !strings.Contains(page, "45 minutes without activity") || !strings.Contains(page, `href="/signin/oidc"`) {
		t.Fatalf("sign-in page:\n%.2000s", page)
	}
	code, home := get("/signin/oidc")
	if code != 200 || !strings.Contains(home, "Signed in as <strong>Pat Jones</strong>") ||
		!strings.Contains(home, "Publisher, North East Derbyshire District Council") {
		t.Fatalf("after the provider: %d\n%.2500s", code, home)
	}
	if code, me := get("/api/v1/me"); code != 200 || !strings.Contains(me, `"keyId":"oidc:entra-42"`) {
		t.Fatalf("/api/v1/me with the session: %d %s", code, me)
	}
}
