# tracecollector image: build on Debian 12 with Debian's packages, run on debian:12-slim.
#   docker build -t tracecollector .
#   docker run -p 4318:4318 -v tc-data:/var/lib/tracecollector tracecollector
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ cmake make pkg-config libboost-dev libboost-system-dev libsimdjson-dev libfmt-dev \
      libcurl4-openssl-dev libsqlite3-dev libtomlplusplus-dev libconcurrentqueue-dev \
      ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY src src
COPY bench bench
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTC_BUILD_TESTS=OFF -DTC_BUILD_BENCH=OFF \
 && cmake --build build -j"$(nproc)" --target tracecollector

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libsimdjson14 libfmt9 libcurl4 libsqlite3-0 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/tracecollector --create-home tracecollector
COPY --from=build /src/build/src/tracecollector /usr/local/bin/tracecollector
COPY config/tracecollector.toml /etc/tracecollector/tracecollector.toml
USER tracecollector
WORKDIR /var/lib/tracecollector
VOLUME /var/lib/tracecollector
EXPOSE 4318
# Listen on all interfaces inside the container; the database and spool live in the volume.
ENV TRACECOLLECTOR_HTTP_LISTEN=0.0.0.0:4318 \
    TRACECOLLECTOR_EMBEDDED_PATH=/var/lib/tracecollector/tracecollector.db
HEALTHCHECK --interval=10s --timeout=2s --retries=3 \
  CMD curl -fsS http://127.0.0.1:4318/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/tracecollector", "--config", "/etc/tracecollector/tracecollector.toml"]
