package api

import (
	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
)

// A write is authorised before its body is read: a key whose role cannot
// write the area gets 403 whatever it sent, never a 400 or 415 that tells
// it what the endpoint expects, and the body of a caller who may not write
// is never decoded. requireArea is that rule at the route, so no handler
// can decode first by mistake:
//
//	v1.POST("/datasets", a.create, s.authenticate, requireArea(domain.AreaOpenData))
//
// A check that depends on the record or the body (the key's organisation
// against the record's) stays in the handler or the use case, after this.
func requireArea(area domain.Area) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := authorize(c, area, ""); err != nil {
				return err
			}
			return next(c)
		}
	}
}
