# smarttag-hub: runtime-only image. It does not build the hub; build the jar first, from the
# repository root, then the image:
#
#   mvn -B -ntp -DskipTests clean package    # target/smarttag-hub.jar and target/lib/ (clean: no stale jars)
#   docker build -t smarttag-hub:0.1.0 .
#
# The hub reads application.properties and routes/*.yaml from its working directory (/app); mount
# your own over them to change configuration without rebuilding. Everything it writes (spool,
# quarantine files, and the H2 database and file archive/outbox when those defaults are used) is
# under /app/data, a volume. See the README, section "Deployment".
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 hub \
 && useradd --system --uid 10001 --gid hub --home-dir /app --no-create-home --shell /usr/sbin/nologin hub

WORKDIR /app
# the jar's manifest puts lib/*.jar on its class path (maven-jar-plugin classpathPrefix lib/)
COPY target/lib/ /app/lib/
COPY target/smarttag-hub.jar /app/smarttag-hub.jar
COPY routes/ /app/routes/
COPY application.properties /app/application.properties
RUN mkdir -p /app/data && chown hub:hub /app/data

USER 10001:10001
VOLUME /app/data
# hub.http.port (callbacks) and hub.management.port (/observe/health/live, /observe/health/ready, replay)
EXPOSE 8080 9876

# The README's "Running on a small box" options, measured by the benchmark (docs/benchmarks.md),
# without its -XX:SharedArchiveFile: the CDS archive of mvn package belongs to the build tree's
# target/ paths and is not in the image. The heap is PostgreSQL's; on the embedded H2 database use
# -Xmx112m -XX:NewRatio=1 instead of -Xmx64m -Xmn16m (H2's cache and transactions live in the heap).
ENV JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -Xmn16m -XX:+ExitOnOutOfMemoryError -Xss512k -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1"
# exec: java is PID 1 and gets SIGTERM itself (graceful drain, see hub.shutdown.*).
# The class path is the jar and every jar in /app/lib, not only those the manifest names: a component
# jar added there (a kamelet's, a JDBC driver) is found without rebuilding (docs/destinations.md, "Adding a jar").
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -cp '/app/smarttag-hub.jar:/app/lib/*' io.smarttag.hub.HubMain \"$@\"", "smarttag-hub"]
