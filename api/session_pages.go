package api

import (
	"cmp"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
)

// The site chrome every page shares: the header's navigation to the jobs
// the reader may do, who is signed in, and the CSRF token of the page's
// forms. render fills it from the request, so handlers never build it.

// job is one of the things the site is for. Each job's pages live under
// Path: the page builders register their routes there (the open data
// catalogue is public; the others need a session and the job's area).
type job struct {
	Path, Text, Summary string
	Area                domain.Area // "" for public pages
}

var jobs = []job{
	{Path: "/datasets", Text: "Open data", Summary: "Find and download the datasets the councils publish."},
	{Path: "/sourcing", Text: "Sourcing", Area: domain.AreaSourcing,
		Summary: "Search G-Cloud, compare cloud and on-premise options, and print the Cabinet report."},
	{Path: "/procurement", Text: "Joint procurement", Area: domain.AreaProcurement,
		Summary: "The partners' register: approvals, notices, shares and savings, the estate and capital programmes."},
	{Path: "/publishing", Text: "Publishing", Area: domain.AreaOpenData,
		Summary: "Create datasets, upload files, read their validation reports and publish."},
}

// chrome is the part of page that render fills in.
type chrome struct {
	// Site is the name in the header and the title.
	Site string
	// Nav is the header's navigation: the jobs this reader may do.
	Nav []navLink
	// Jobs are what the home page leads to: the jobs this reader may do,
	// and for anonymous readers the staff's jobs by way of the sign-in page.
	Jobs []jobLink
	// User is who is signed in (nil for anonymous readers).
	User *pageUser
	// CSRF is the token every state-changing form carries; write
	// {{template "csrf" $}} as the form's first child.
	CSRF string
}

type jobLink struct {
	Href, Text, Summary string
	SignIn              bool // the link goes by the sign-in page
}

type navLink struct {
	Href, Text string
	Current    bool
}

// pageUser is the header's "signed in as".
type pageUser struct {
	Name         string
	Role         string // as people say it: "Officer"
	Organisation string // the council's name; "" for admins
}

const (
	sitePublic = "Council open data"
	siteStaff  = "Council ICT"
)

// readerTag is the part of a page's ETag that names who reads it: the header
// differs for each session (and its CSRF secret changes with it), so a page
// validated for one reader must not answer 304 to another or to the same
// browser after signing in or out.
func (s *Server) readerTag(c echo.Context) string {
	if sess, ok := signedIn(c); ok {
		return "session:" + sess.ID
	}
	if pre, _ := c.Get(signinCookie).(string); pre != "" {
		return "pre:" + pre
	}
	return "pre:" + s.cookie(c, signinCookie)
}

func (s *Server) chromeFor(c echo.Context) chrome {
	ch := chrome{Site: sitePublic, CSRF: s.csrfToken(c)}
	sess, in := signedIn(c)
	path := c.Request().URL.Path
	for _, j := range jobs {
		switch {
		case j.Area == "" || (in && sess.Principal.Authorize(j.Area, "") == nil):
			ch.Jobs = append(ch.Jobs, jobLink{Href: j.Path, Text: j.Text, Summary: j.Summary})
			ch.Nav = append(ch.Nav, navLink{Href: j.Path, Text: j.Text, Current: path == j.Path || strings.HasPrefix(path, j.Path+"/")})
		case !in:
			ch.Jobs = append(ch.Jobs, jobLink{Href: "/signin?" + url.Values{"next": {j.Path}}.Encode(), Text: j.Text, Summary: j.Summary, SignIn: true})
		}
	}
	if in {
		ch.Site = siteStaff
		role := string(sess.Principal.Role)
		ch.User = &pageUser{Name: sess.Name, Role: strings.ToUpper(role[:1]) + role[1:],
			Organisation: cmp.Or(sess.OrganisationName, sess.Principal.Organisation)}
		if sess.Principal.Role == domain.RoleAdmin {
			ch.User.Organisation = "every organisation"
		}
	}
	return ch
}
