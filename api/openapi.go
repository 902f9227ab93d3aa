package api

// General API information for swag; scripts/gen-docs regenerates api/docs.
//
//	@title						councilapi
//	@version					1.0
//	@description				Sourcing, joint procurement and open data publishing for the ICT teams of English district councils.
//	@description				Reads of published information are public. Every write needs `Authorization: Bearer <api key>`; errors are RFC 9457 `application/problem+json`.
//	@contact.name				Joint ICT Service
//	@license.name				MIT
//	@securityDefinitions.apikey	bearer
//	@in							header
//	@name						Authorization
//	@description				"Bearer cak_..." — create keys with `councilapi keys create` or POST /api/v1/keys.
