# tracecollector image: built with Debian 12's packages, run on debian:12-slim.
#   docker build -t tracecollector .
#   docker run -p 4318:4318 -v tc-data:/var/lib/tracecollector tracecollector
# Defaults inside the container: listen 0.0.0.0:4318, embedded SQLite database
# /var/lib/tracecollector/tracecollector.db, spool /var/lib/tracecollector/spool (the volume).
# Every other setting: environment TRACECOLLECTOR_<SECTION>_<KEY> or arguments after the image
# name (they go to the collector, e.g. `--sqld-url http://sqld:8080`). See docs/getting-started.md.
# tests/integration/deploy_test.sh lints this file and checks it against scripts/install-deps.sh.

# ---- build: the same -dev packages as scripts/install-deps.sh ----
FROM debian:12-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ cmake make pkg-config libboost-dev libboost-system-dev libsimdjson-dev libfmt-dev \
      libcurl4-openssl-dev libsqlite3-dev libtomlplusplus-dev libconcurrentqueue-dev libssl-dev \
      zlib1g-dev libprotozero-dev libre2-dev \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY src src
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTC_BUILD_TESTS=OFF -DTC_BUILD_BENCH=OFF \
 && cmake --build build -j"$(nproc)" --target tracecollector \
 && strip build/src/tracecollector

# ---- runtime: only the shared libraries the binary links (objdump -p: NEEDED) ----
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcurl4 libsqlite3-0 libfmt9 libsimdjson14 libssl3 zlib1g libre2-9 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /var/lib/tracecollector --create-home \
      --shell /usr/sbin/nologin tracecollector
COPY --from=build /src/build/src/tracecollector /usr/local/bin/tracecollector
COPY config/tracecollector.toml /etc/tracecollector/tracecollector.toml
COPY deploy/docker/healthcheck.sh /usr/local/bin/tracecollector-healthcheck
ENV TRACECOLLECTOR_HTTP_LISTEN=0.0.0.0:4318 \
    TRACECOLLECTOR_EMBEDDED_PATH=/var/lib/tracecollector/tracecollector.db \
    TRACECOLLECTOR_SPOOL_DIR=/var/lib/tracecollector/spool
USER tracecollector
WORKDIR /var/lib/tracecollector
VOLUME ["/var/lib/tracecollector"]
EXPOSE 4318
# Liveness probe without curl (one package less): bash's /dev/tcp, GET /healthz on the port of
# TRACECOLLECTOR_HTTP_LISTEN must answer 200 (deploy/docker/healthcheck.sh).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/tracecollector-healthcheck"]
# SIGTERM drains the queue into the store (shutdown_timeout_ms, 20 s) before exiting.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/tracecollector", "--config", "/etc/tracecollector/tracecollector.toml"]
