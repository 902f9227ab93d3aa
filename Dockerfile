# syntax=docker/dockerfile:1
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/councilapi . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/councilapi /councilapi
# The volume starts owned by the non-root user so the store can be created in it.
COPY --from=build --chown=nonroot:nonroot /out/data /data
VOLUME ["/data"]
ENV COUNCILAPI_ADDR=0.0.0.0:8080 COUNCILAPI_DATA_DIR=/data COUNCILAPI_LOG_FORMAT=json
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s CMD ["/councilapi", "healthcheck"]
ENTRYPOINT ["/councilapi"]
