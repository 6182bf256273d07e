# ctstream as a container: the supervised pipeline on :8080, state in a
# volume, non-root, health from ct-serve's /health.
#   docker build -t ctstream . && docker run -p 8080:8080 -v ctstate:/var/lib/ctstream ctstream
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
	build-essential pkg-config libcurl4-openssl-dev libssl-dev zlib1g-dev \
	libcjson-dev libidn2-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j2 && make install PREFIX=/opt/ctstream

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
	libcurl4 libssl3 zlib1g libcjson1 libidn2-0 jq curl ca-certificates \
	&& rm -rf /var/lib/apt/lists/* && useradd -r -d /var/lib/ctstream ctstream \
	&& mkdir -p /var/lib/ctstream && chown ctstream /var/lib/ctstream
COPY --from=build /opt/ctstream /opt/ctstream
COPY scripts/ct-stream /opt/ctstream/bin/ct-stream
ENV PATH=/opt/ctstream/bin:$PATH CT_STATE_DIR=/var/lib/ctstream CT_LISTEN=0.0.0.0:8080
USER ctstream
VOLUME /var/lib/ctstream
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://127.0.0.1:8080/health || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/ctstream/bin/ct-stream"]
