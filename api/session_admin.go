package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/identity"
)

// listSessions lists the web pages' live sessions.
//
//	@Summary	List signed-in web sessions (admin): who, how (key or OpenID Connect), since when, last seen
//	@Tags		admin
//	@Produce	json
//	@Success	200	{object}	listResponse[identity.Session]
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/sessions [get]
func (s *Server) listSessions(c echo.Context) error {
	list, err := s.app.Sessions.List(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listResponse[identity.Session]{Items: list, Total: int64(len(list)), Limit: len(list)})
}

// revokeSession signs a session out at once, on every instance.
//
//	@Summary	Revoke a web session (admin), e.g. for a lost laptop; its next request is signed out
//	@Tags		admin
//	@Produce	json
//	@Param		id	path		string	true	"session id (as listed)"
//	@Success	200	{object}	identity.Session
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/sessions/{id} [delete]
func (s *Server) revokeSession(c echo.Context) error {
	sess, err := s.app.Sessions.Revoke(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}
