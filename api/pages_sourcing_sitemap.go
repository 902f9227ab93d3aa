package api

import (
	"context"

	"github.com/jointict/councilapi/app/audit"
	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
)

// The sourcing pages with parameters, for the site map: each comparison's
// page and report (and a draft's forms), each saved search, and a service
// page (the search links to the others). Only readers who may use the
// sourcing pages get them; the use cases decide which records they see.

func mayUseSourcingPages(a audit.Actor) bool {
	return !a.Anonymous() && a.Authorize(domain.AreaSourcing, "") == nil
}

// sourcingComparisonPages are the pages of one comparison the reader may read.
func sourcingComparisonPages(a audit.Actor, c appsrc.ComparisonSummary) []sitemapPage {
	if !mayUseSourcingPages(a) {
		return nil
	}
	p := comparisonPath(c.ID)
	out := []sitemapPage{
		{Href: p, Title: c.Title, Route: sourcingPath + "/comparisons/:id", Staff: true},
		{Href: p + "/report", Title: c.Title + ": Cabinet report", Route: sourcingPath + "/comparisons/:id/report", Staff: true},
	}
	if c.State == sourcing.StateDraft {
		out = append(out,
			sitemapPage{Href: p + "/edit", Title: c.Title + ": edit", Route: sourcingPath + "/comparisons/:id/edit", Staff: true},
			sitemapPage{Href: reportTextPath(c.ID), Title: c.Title + ": report text", Route: sourcingPath + "/comparisons/:id/report-text", Staff: true})
	}
	return out
}

// sitemapSourcingPages adds the reader's saved searches and a service page.
func (s *Server) sitemapSourcingPages(ctx context.Context, a audit.Actor, sec sitemapSection) (sitemapSection, error) {
	if !mayUseSourcingPages(a) {
		return sec, nil
	}
	searches, _, err := s.app.Sourcing.ListSavedSearches(ctx, a, appsrc.SearchQueryFilter{Limit: 100})
	if err != nil {
		return sec, err
	}
	for _, v := range searches {
		sec.Pages = append(sec.Pages, sitemapPage{Href: searchPath(v.ID), Title: "Saved search: " + v.Name,
			Route: sourcingPath + "/searches/:id", Staff: true})
	}
	res, err := s.app.Sourcing.Search(ctx, sourcing.SearchQuery{Sort: sourcing.SortName, Limit: 1})
	if domain.ErrorCode(err) == domain.CodeUnavailable {
		return sec, nil // the index is loading; its pages are listed once it has
	}
	if err != nil {
		return sec, err
	}
	for _, h := range res.Hits {
		sec.Pages = append(sec.Pages, sitemapPage{Href: servicePath(h.Service.ID), Title: "G-Cloud service: " + h.Service.ServiceName,
			Route: sourcingPath + "/services/:id", Staff: true})
	}
	return sec, nil
}
