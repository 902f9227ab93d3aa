package api

import (
	"context"
	"net/url"
	"slices"
	"strconv"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/domain/procurement"
)

// The site map's entries for the officers' and publishers' pages that take
// parameters: each procurement the reader may open with the forms its page
// offers them, each council's summary, estate and programme (their assets,
// lines and reviews), and each dataset the reader publishes with its
// versions and harvest page. The pages without parameters are listed from
// the router (sitemapJobRoutes).

// sitemapProcurementPages adds the joint procurement pages to sec.
func (s *Server) sitemapProcurementPages(ctx context.Context, a audit.Actor, sec *sitemapSection) error {
	if a.Authorize(domain.AreaProcurement, "") != nil {
		return nil
	}
	svc := s.app.Procurement
	add := func(href, title, route string) {
		sec.Pages = append(sec.Pages, sitemapPage{Href: href, Title: title, Route: route, Staff: true})
	}
	reg, err := svc.Register(ctx, a, procurement.RegisterFilter{})
	if err != nil {
		return err
	}
	for _, e := range reg.Entries {
		base := "/procurement/" + url.PathEscape(e.ID)
		add(base, e.Reference+" "+e.Title, "/procurement/:id")
		p, err := svc.Get(ctx, a, e.ID)
		if err != nil {
			return err
		}
		if !p.Full {
			continue
		}
		for _, act := range procurementActions {
			if act.offered(a.Principal, p) {
				add(base+"/"+act.path, e.Reference+": "+act.title, "/procurement/:id/"+act.path)
			}
		}
	}
	orgs, err := s.app.OpenData.Organisations(ctx)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if a.Authorize(domain.AreaProcurement, o.ID) != nil {
			continue
		}
		org := url.PathEscape(o.ID)
		add("/procurement/partners/"+org, o.Name+": joint procurements", "/procurement/partners/:org")
		add(estateBase(o.ID), o.Name+": ICT estate", "/procurement/estate/:org")
		add(estateBase(o.ID)+"/new", o.Name+": add an asset", "/procurement/estate/:org/new")
		add(estateBase(o.ID)+"/import", o.Name+": import the estate register", "/procurement/estate/:org/import")
		assets, err := svc.Assets(ctx, a, o.ID)
		if err != nil {
			return err
		}
		for _, as := range assets {
			add(estateBase(o.ID)+"/assets/"+url.PathEscape(as.ID), o.Name+": asset "+as.ID, "/procurement/estate/:org/assets/:asset")
		}
		add(capitalBase(o.ID), o.Name+": capital programme", "/procurement/capital/:org")
		add(capitalBase(o.ID)+"/review", o.Name+": freeze the programme as approved", "/procurement/capital/:org/review")
		add(capitalBase(o.ID)+"/lines/new", o.Name+": add a line to the programme", "/procurement/capital/:org/lines/new")
		lines, err := svc.ManualLines(ctx, a, o.ID)
		if err != nil {
			return err
		}
		for _, l := range lines {
			add(capitalBase(o.ID)+"/lines/"+url.PathEscape(l.ID), o.Name+": programme line "+l.ID, "/procurement/capital/:org/lines/:line")
		}
		reviews, err := svc.Reviews(ctx, a, o.ID)
		if err != nil {
			return err
		}
		for _, r := range reviews {
			if r.Verified {
				n := strconv.Itoa(r.Version)
				add(capitalBase(o.ID)+"/reviews/"+n, o.Name+": capital programme review "+n, "/procurement/capital/:org/reviews/:n")
			}
		}
	}
	return nil
}

// sitemapPublishing lists each dataset the reader publishes, its versions
// and what harvesters see of it.
func (s *Server) sitemapPublishing(ctx context.Context, a audit.Actor) (sitemapSection, error) {
	sec := sitemapSection{ID: "publishing", Heading: "Publishing"}
	if a.Authorize(domain.AreaOpenData, "") != nil {
		return sec, nil
	}
	svc := s.app.OpenData
	orgs, err := svc.Organisations(ctx)
	if err != nil {
		return sec, err
	}
	add := func(href, title, route string) {
		sec.Pages = append(sec.Pages, sitemapPage{Href: href, Title: title, Route: route, Staff: true})
	}
	for _, o := range orgs {
		if a.Authorize(domain.AreaOpenData, o.ID) != nil {
			continue
		}
		sets, _, err := svc.Search(ctx, a, od.Query{Publisher: []string{o.ID}, Status: allStatuses, Sort: od.SortTitle, Limit: od.MaxLimit})
		if err != nil {
			return sec, err
		}
		for _, d := range sets {
			base := datasetBase(d.ID)
			add(base, d.Title+": publishing", "/publishing/datasets/:id")
			add(base+"/edit", d.Title+": edit the metadata", "/publishing/datasets/:id/edit")
			if slices.Contains(od.NextStatuses(d.Status), od.StatusWithdrawn) {
				add(base+"/withdraw", d.Title+": withdraw", "/publishing/datasets/:id/withdraw")
			}
			add(base+"/harvest", d.Title+": what harvesters see", "/publishing/datasets/:id/harvest")
			versions, _, err := svc.Versions(ctx, a, d.ID, od.MaxLimit, 0)
			if err != nil {
				return sec, err
			}
			for _, v := range versions {
				n := strconv.Itoa(v.Number)
				add(base+"/versions/"+n, d.Title+": version "+n, "/publishing/datasets/:id/versions/:n")
			}
		}
	}
	return sec, nil
}
