# Rounds: a cgo build (SQLite) in one stage, a small non-root runtime in the next.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/rounds ./cmd/rounds

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin rounds \
 && mkdir -p /data && chown rounds:rounds /data
COPY --from=build /out/rounds /usr/local/bin/rounds
USER rounds
WORKDIR /data
VOLUME /data
ENV ROUNDS_ADDR=:8080 \
    ROUNDS_DATABASE_URL=sqlite:/data/rounds.db \
    ROUNDS_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["/usr/local/bin/rounds"]
CMD ["serve"]
