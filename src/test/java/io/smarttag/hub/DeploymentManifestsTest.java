package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.testsupport.RunningHub;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Dockerfile and the Kubernetes base in deploy/kubernetes fit the application they deploy.
 * Neither Docker nor Kubernetes runs here, so this checks them against the code: the manifests
 * parse, set only environment variables that are hub properties, use the hub's default ports and
 * the health paths it really serves (asked of a running hub), outlast its graceful shutdown, are
 * sized from the benchmark, mount every route, keep secrets in a Secret, and the Dockerfile copies
 * exactly what {@code mvn package} builds.
 */
class DeploymentManifestsTest {

    private static final Path K8S = Path.of("deploy/kubernetes");
    private static final String LIVENESS = "/observe/health/live";
    private static final String READINESS = "/observe/health/ready";
    /** Environment variables of the manifests that are not hub properties: the JVM's options only. */
    private static final Set<String> NON_HUB_ENV = Set.of("JAVA_OPTS");
    /** PostgreSQL's default max_connections: N instances with their pools must fit one server. */
    private static final int POSTGRES_DEFAULT_MAX_CONNECTIONS = 100;

    private static Properties defaults;
    private static Set<String> propertyKeys;
    private static Map<String, Object> kustomization;
    private static Map<String, Map<String, Object>> resources;
    private static Map<String, Object> deployment;
    private static Map<String, Object> container;
    private static Dockerfile dockerfile;

    @BeforeAll
    static void read() throws Exception {
        String text = Files.readString(Path.of("application.properties"));
        defaults = new Properties();
        defaults.load(new StringReader(text));
        // the keys of application.properties, the commented-out ones too (as ConfigurationDocsTest)
        propertyKeys = new TreeSet<>();
        Matcher keys = Pattern.compile("(?m)^#? ?(hub\\.[a-z0-9.\\-]+) =").matcher(text);
        while (keys.find()) {
            propertyKeys.add(keys.group(1));
        }
        kustomization = map(single(K8S.resolve("kustomization.yaml")));
        resources = new LinkedHashMap<>();
        for (Object file : list(kustomization.get("resources"))) {
            for (Object doc : yaml(K8S.resolve((String) file))) {
                Map<String, Object> resource = map(doc);
                assertNotNull(resource.get("apiVersion"), file + ": apiVersion");
                assertNull(resources.put((String) resource.get("kind"), resource), file + ": one " + resource.get("kind"));
            }
        }
        deployment = resources.get("Deployment");
        assertNotNull(deployment, "a Deployment");
        List<Object> containers = list(path(deployment, "spec", "template", "spec", "containers"));
        assertEquals(1, containers.size(), "one container");
        container = map(containers.get(0));
        dockerfile = new Dockerfile(Files.readAllLines(Path.of("Dockerfile")));
    }

    @Test
    void everyManifestParsesAndTheBaseListsThemAll() throws Exception {
        assertEquals(Set.of("Deployment", "Service", "PodDisruptionBudget"), resources.keySet());
        assertEquals("Kustomization", kustomization.get("kind"));
        Set<String> listed = list(kustomization.get("resources")).stream().map(String::valueOf).collect(Collectors.toSet());
        listed.add("kustomization.yaml");
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                assertFalse(yaml(file).isEmpty(), file + " is empty");
                assertTrue(listed.contains(file.getFileName().toString()), file + " is not in kustomization.yaml");
            }
        }
    }

    @Test
    void environmentVariablesAreHubProperties() {
        Set<String> names = new TreeSet<>(env().keySet());
        names.addAll(secretExampleKeys().keySet());
        assertTrue(names.contains("HUB_DB_URL"), "the shared database is configured: " + names);
        for (String name : names) {
            if (name.startsWith("HUB_")) {
                assertNotNull(propertyOf(name), name + " is no hub.* property of application.properties");
            } else {
                assertTrue(NON_HUB_ENV.contains(name), name + " is neither a HUB_* property nor " + NON_HUB_ENV);
            }
        }
    }

    @Test
    void secretsComeFromAGitIgnoredEnvFileWithACommittedExample() throws Exception {
        List<Object> generators = list(kustomization.get("secretGenerator"));
        assertEquals(1, generators.size());
        Map<String, Object> generator = map(generators.get(0));
        assertEquals(List.of("secrets.env"), generator.get("envs"));
        assertTrue(Files.readAllLines(Path.of(".gitignore")).contains("deploy/kubernetes/secrets.env"),
                "secrets.env is git-ignored");
        Map<String, String> example = secretExampleKeys();
        for (String required : List.of("HUB_DB_PASSWORD", "HUB_CALLBACK_AUTH_KEY", "HUB_MANAGEMENT_TOKEN")) {
            assertEquals("change-me", example.get(required), required + " in secrets.env.example");
        }
        example.forEach((name, value) -> assertEquals("change-me", value, name + " has a placeholder value only"));
        Set<String> secretRefs = new LinkedHashSet<>();
        for (Object from : list(container.get("envFrom"))) {
            secretRefs.add((String) map(map(from).get("secretRef")).get("name"));
        }
        assertEquals(Set.of(generator.get("name")), secretRefs, "the container reads the generated Secret");
        // keys, passwords and tokens are never written into the manifests themselves
        Pattern secret = Pattern.compile("PASSWORD|SECRET|TOKEN|AUTH_KEY|ACCESS_KEY");
        env().keySet().forEach(name -> assertFalse(secret.matcher(name).find(), name + " belongs in the Secret"));
        assertTrue(example.keySet().containsAll(hubEnvNamesMatching(secret)),
                "every secret hub property is in secrets.env.example: " + hubEnvNamesMatching(secret));
    }

    @Test
    void portsAreTheHubDefaults() {
        Map<String, Integer> ports = containerPorts();
        assertEquals(Map.of("http", Integer.parseInt(defaults.getProperty("hub.http.port")),
                "management", Integer.parseInt(defaults.getProperty("hub.management.port"))), ports);
        assertEquals(new TreeSet<>(ports.values()), dockerfile.exposed(), "EXPOSE in the Dockerfile");
        for (Object p : list(path(resources.get("Service"), "spec", "ports"))) {
            Object target = map(p).get("targetPort");
            assertTrue(ports.containsKey(String.valueOf(target)) || ports.containsValue(target),
                    "Service targetPort " + target + " is a container port");
        }
    }

    @Test
    void selectorsMatchThePods() {
        Object labels = path(deployment, "spec", "template", "metadata", "labels");
        assertEquals(labels, path(deployment, "spec", "selector", "matchLabels"));
        assertEquals(labels, path(resources.get("Service"), "spec", "selector"));
        assertEquals(labels, path(resources.get("PodDisruptionBudget"), "spec", "selector", "matchLabels"));
    }

    @Test
    void probesUseTheHealthPathsOnTheManagementPort() {
        assertEquals(LIVENESS, probe("livenessProbe"));
        assertEquals(READINESS, probe("readinessProbe"));
        if (container.containsKey("startupProbe")) {
            assertEquals(LIVENESS, probe("startupProbe"));
        }
    }

    /** The probe paths of the manifests are served by the hub, and a path it does not serve is not. */
    @Test
    void theHubServesTheProbePaths() throws Exception {
        try (RunningHub hub = RunningHub.builder().start()) {
            for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                if (container.containsKey(kind)) {
                    var response = hub.management(probe(kind));
                    assertEquals(200, response.statusCode(), kind + " " + probe(kind) + ": " + response.body());
                    assertTrue(response.body().contains("UP"), response.body());
                }
            }
            assertNotEquals(200, hub.management("/observe/healthz").statusCode(), "a path the hub does not serve");
        }
    }

    @Test
    void terminationGracePeriodOutlastsTheDrainAndTheShutdownTimeout() {
        long graceSeconds = ((Number) path(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds")).longValue();
        long drainMs = Long.parseLong(effective("hub.shutdown.drain-ms"));
        long shutdownSeconds = Long.parseLong(effective("hub.shutdown-timeout-seconds"));
        assertTrue(graceSeconds * 1000 > drainMs + shutdownSeconds * 1000,
                "grace " + graceSeconds + " s <= drain " + drainMs + " ms + shutdown timeout " + shutdownSeconds + " s");
    }

    @Test
    void replicasShareOnePostgresqlWithinItsConnections() {
        int replicas = ((Number) path(deployment, "spec", "replicas")).intValue();
        assertEquals(3, replicas);
        assertTrue(effective("hub.db.url").startsWith("jdbc:postgresql:"), "instances share PostgreSQL, not H2 files");
        int poolSize = Integer.parseInt(effective("hub.db.pool-size"));
        assertTrue(replicas * poolSize < POSTGRES_DEFAULT_MAX_CONNECTIONS,
                replicas + " x " + poolSize + " connections exceed PostgreSQL's default max_connections");
        Object maxUnavailable = path(resources.get("PodDisruptionBudget"), "spec", "maxUnavailable");
        assertTrue(maxUnavailable instanceof Number n && n.intValue() >= 1 && n.intValue() < replicas,
                "the PodDisruptionBudget keeps instances running: " + maxUnavailable);
    }

    @Test
    void resourcesAndJvmOptionsAreThoseOfTheBenchmark() throws Exception {
        String javaOpts = env().get("JAVA_OPTS");
        assertEquals(smallBoxOptions(), javaOpts, "JAVA_OPTS of the Deployment: the README's small-box options");
        assertEquals(smallBoxOptions(), dockerfile.env("JAVA_OPTS"), "JAVA_OPTS of the Dockerfile");
        Map<String, Object> requests = map(path(container, "resources", "requests"));
        Map<String, Object> limits = map(path(container, "resources", "limits"));
        for (Map<String, Object> r : List.of(requests, limits)) {
            assertTrue(r.containsKey("cpu") && r.containsKey("memory"), "cpu and memory: " + r);
        }
        double peakRssMib = new ObjectMapper().readTree(Path.of("docs/benchmarks.json").toFile())
                .findValue("peak_rss_mib").asDouble();
        assertTrue(peakRssMib > 0, "docs/benchmarks.json has the peak RSS");
        long limitMib = mebibytes(limits.get("memory"));
        assertTrue(limitMib > peakRssMib, "memory limit " + limitMib + " Mi <= the benchmark's peak RSS " + peakRssMib + " MiB");
        assertTrue(mebibytes(requests.get("memory")) <= limitMib);
        Matcher xmx = Pattern.compile("-Xmx(\\d+)m").matcher(javaOpts);
        assertTrue(xmx.find() && Long.parseLong(xmx.group(1)) < limitMib / 2, "heap leaves room for the rest of the JVM");
    }

    /** Everything the hub writes locally lies in the data volume; routes and properties are mounted where it reads them. */
    @Test
    void configurationIsMountedInTheWorkingDirectoryAndDataIsAVolume() throws Exception {
        String workdir = dockerfile.workdir();
        assertEquals(workdir + "/data", dockerfile.volume());
        for (String key : List.of("hub.spool.dir", "hub.quarantine.dir")) {
            assertTrue(effective(key).startsWith("data/"), key + " lies in the data volume: " + effective(key));
        }
        Map<String, String> configMaps = new LinkedHashMap<>();
        for (Object g : list(kustomization.get("configMapGenerator"))) {
            Map<String, Object> generator = map(g);
            Set<String> files = new TreeSet<>();
            for (Object file : generator.containsKey("files") ? list(generator.get("files")) : List.of()) {
                Path resolved = K8S.resolve((String) file).normalize();
                assertTrue(Files.isRegularFile(resolved), file + " exists");
                files.add(K8S.relativize(resolved).toString()); // the base's copies (theBaseHoldsCopiesOfTheConfiguration)
            }
            configMaps.put((String) generator.get("name"), String.join(",", files));
        }
        Set<String> routes;
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            routes = files.map(Path::toString).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(Map.of("smarttag-hub-config", "application.properties", "smarttag-hub-routes", String.join(",", routes),
                        "smarttag-hub-kamelets", ""),
                configMaps, "one ConfigMap of application.properties, one of every file in routes/, one (empty) for the user's kamelets");

        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        for (Object v : list(path(deployment, "spec", "template", "spec", "volumes"))) {
            volumes.put((String) map(v).get("name"), map(v));
        }
        Map<String, Map<String, Object>> mounts = new LinkedHashMap<>();
        for (Object m : list(container.get("volumeMounts"))) {
            mounts.put((String) map(m).get("mountPath"), map(m));
        }
        Map<String, Object> properties = mounts.get(workdir + "/application.properties");
        assertNotNull(properties, "application.properties mounted in " + workdir + ": " + mounts.keySet());
        assertEquals("application.properties", properties.get("subPath"));
        assertEquals("smarttag-hub-config", path(volumes.get(properties.get("name")), "configMap", "name"));
        Map<String, Object> routeMount = mounts.get(workdir + "/routes");
        assertNotNull(routeMount, "routes/ mounted in " + workdir);
        assertEquals("smarttag-hub-routes", path(volumes.get(routeMount.get("name")), "configMap", "name"));
        Map<String, Object> kameletMount = mounts.get(workdir + "/" + effective("hub.kamelets.dir"));
        assertNotNull(kameletMount, "the user's kamelets mounted where hub.kamelets.dir points: " + mounts.keySet());
        assertEquals("smarttag-hub-kamelets", path(volumes.get(kameletMount.get("name")), "configMap", "name"));
        Map<String, Object> data = mounts.get(dockerfile.volume());
        assertNotNull(data, "the data volume is mounted: " + mounts.keySet());
        assertTrue(volumes.get(data.get("name")).containsKey("emptyDir")
                || volumes.get(data.get("name")).containsKey("persistentVolumeClaim"), "data is a volume");
        if (Boolean.TRUE.equals(map(container.getOrDefault("securityContext", Map.of())).get("readOnlyRootFilesystem"))) {
            // Vert.x keeps its file cache and the JVM its perf data in java.io.tmpdir
            assertTrue(mounts.containsKey("/tmp"), "a read-only root file system needs a volume at /tmp");
        }
        assertEquals(Long.parseLong(dockerfile.user().split(":")[0]),
                ((Number) path(deployment, "spec", "template", "spec", "securityContext", "runAsUser")).longValue(),
                "the pod runs as the image's USER");
        assertEquals(Boolean.TRUE, path(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"));
    }

    @Test
    void dockerfileCopiesWhatMavenPackageBuilds() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        String jar = "target/" + text(pom.getDocumentElement(), "build", "finalName") + ".jar";
        String lib = null;
        String classpathPrefix = null;
        NodeList plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            String artifact = text(plugin, "artifactId");
            if ("maven-dependency-plugin".equals(artifact)) {
                lib = text(plugin, "executions", "execution", "configuration", "outputDirectory")
                        .replace("${project.build.directory}", "target") + "/";
            } else if ("maven-jar-plugin".equals(artifact)) {
                classpathPrefix = text(plugin, "configuration", "archive", "manifest", "classpathPrefix");
            }
        }
        assertEquals("target/smarttag-hub.jar", jar);
        assertEquals("target/lib/", lib);
        String workdir = dockerfile.workdir();
        assertEquals(Map.of(
                jar, workdir + "/smarttag-hub.jar",
                lib, workdir + "/" + classpathPrefix,
                "routes/", workdir + "/routes/",
                "application.properties", workdir + "/application.properties"), dockerfile.copies());
        // the jar and every jar of lib/ (also those added to the image later), with the hub's main class
        assertTrue(dockerfile.entrypoint().contains("-cp '" + workdir + "/smarttag-hub.jar:" + workdir + "/" + classpathPrefix + "*'")
                && dockerfile.entrypoint().contains("io.smarttag.hub.HubMain"), dockerfile.entrypoint());
        assertTrue(dockerfile.entrypoint().contains("$JAVA_OPTS"), "the entrypoint passes JAVA_OPTS");
        String user = dockerfile.user();
        assertFalse(user.isEmpty() || user.startsWith("root") || user.startsWith("0"), "non-root USER: " + user);
        assertTrue(dockerfile.from().matches(".*(:|-)17[-.a-z]*jre.*|.*jre.*17.*"), "a Java 17 JRE base image: " + dockerfile.from());
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore"));
        for (String source : dockerfile.copies().keySet()) {
            assertTrue(!ignore.contains("*") || ignore.contains("!" + source), source + " is excluded by .dockerignore");
        }
    }

    /**
     * The base holds byte-for-byte copies of application.properties and of every file of routes/
     * (kustomize reads nothing outside the base's folder, and the operator builds it as it is), and
     * its ConfigMap generator lists every route.
     */
    @Test
    void theBaseHoldsCopiesOfTheConfiguration() throws Exception {
        String sync = "; from the repository root: cp application.properties deploy/kubernetes/ && "
                + "rm -f deploy/kubernetes/routes/* && cp routes/* deploy/kubernetes/routes/";
        assertEquals(Files.readString(Path.of("application.properties")), Files.readString(K8S.resolve("application.properties")),
                "deploy/kubernetes/application.properties is not a copy of application.properties" + sync);
        Set<String> routes = fileNames(Path.of("routes"));
        assertEquals(routes, fileNames(K8S.resolve("routes")), "deploy/kubernetes/routes/ holds other files than routes/" + sync);
        for (String route : routes) {
            assertEquals(Files.readString(Path.of("routes", route)), Files.readString(K8S.resolve("routes").resolve(route)),
                    "deploy/kubernetes/routes/" + route + " is not a copy of routes/" + route + sync);
        }
        List<Object> generators = list(kustomization.get("configMapGenerator"));
        Map<String, Object> files = new LinkedHashMap<>();
        for (Object generator : generators) {
            files.put((String) map(generator).get("name"), map(generator).get("files"));
        }
        assertEquals(List.of("application.properties"), files.get("smarttag-hub-config"));
        assertEquals(routes.stream().map(route -> "routes/" + route).toList(), files.get("smarttag-hub-routes"),
                "kustomization.yaml lists every route, in order");
    }

    /**
     * Where kubectl is installed (it is on this project's machines; the test is skipped elsewhere),
     * the base builds as an operator builds it, without --load-restrictor (in a copy of the folder
     * with secrets.env made from the example): the ConfigMaps hold the repository's own
     * application.properties and routes, byte for byte, and the Deployment refers to the generated
     * (hash-suffixed) names.
     */
    @Test
    void kubectlBuildsTheBase() throws Exception {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, "kubectl")).filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(kubectl != null, "kubectl is not installed");
        Path base = Files.createTempDirectory("smarttag-hub-kustomize").resolve("kubernetes");
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path file : files.toList()) {
                Path target = base.resolve(K8S.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        Files.copy(K8S.resolve("secrets.env.example"), base.resolve("secrets.env"), StandardCopyOption.REPLACE_EXISTING);
        Set<String> routes = fileNames(Path.of("routes"));
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", base.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize finished");
        assertEquals(0, process.exitValue(), output);

        Map<String, Map<String, Object>> built = new LinkedHashMap<>();
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(output)) {
            Map<String, Object> resource = map(doc);
            built.put(resource.get("kind") + "/" + path(resource, "metadata", "name"), resource);
        }
        Map<String, Object> config = builtWithPrefix(built, "ConfigMap/smarttag-hub-config-");
        Map<String, Object> routeMap = builtWithPrefix(built, "ConfigMap/smarttag-hub-routes-");
        Map<String, Object> kamelets = builtWithPrefix(built, "ConfigMap/smarttag-hub-kamelets-");
        Map<String, Object> secret = builtWithPrefix(built, "Secret/smarttag-hub-secrets-");
        assertEquals(Files.readString(Path.of("application.properties")), map(config.get("data")).get("application.properties"));
        assertEquals(routes, new TreeSet<>(map(routeMap.get("data")).keySet()));
        for (String route : routes) {
            assertEquals(Files.readString(Path.of("routes", route)), map(routeMap.get("data")).get(route), route + " in the ConfigMap");
        }
        Set<String> uncommented = new TreeSet<>();
        for (String line : Files.readAllLines(K8S.resolve("secrets.env.example"))) {
            if (line.matches("[A-Z][A-Z0-9_]*=.*")) {
                uncommented.add(line.substring(0, line.indexOf('=')));
            }
        }
        assertEquals(uncommented, new TreeSet<>(map(secret.get("data")).keySet()), "the Secret's keys");

        Map<String, Object> builtDeployment = built.get("Deployment/smarttag-hub");
        assertNotNull(builtDeployment, built.keySet().toString());
        Set<String> volumeConfigMaps = new TreeSet<>();
        for (Object v : list(path(builtDeployment, "spec", "template", "spec", "volumes"))) {
            Object configMap = map(v).get("configMap");
            if (configMap != null) {
                volumeConfigMaps.add((String) map(configMap).get("name"));
            }
        }
        assertEquals(new TreeSet<>(Set.of((String) path(config, "metadata", "name"), (String) path(routeMap, "metadata", "name"),
                (String) path(kamelets, "metadata", "name"))), volumeConfigMaps);
        Map<String, Object> builtContainer = map(list(path(builtDeployment, "spec", "template", "spec", "containers")).get(0));
        assertEquals(path(secret, "metadata", "name"), path(map(list(builtContainer.get("envFrom")).get(0)), "secretRef", "name"));
        assertTrue(String.valueOf(builtContainer.get("image")).startsWith("smarttag-hub:"), "image " + builtContainer.get("image"));
        try (Stream<Path> files = Files.walk(base.getParent())) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    // --- helpers ---

    private static Set<String> fileNames(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String probe(String kind) {
        Map<String, Object> get = map(path(container, kind, "httpGet"));
        Object port = get.get("port");
        int number = port instanceof Number n ? n.intValue() : containerPorts().get(String.valueOf(port));
        assertEquals(Integer.parseInt(defaults.getProperty("hub.management.port")), number, kind + " on the management port");
        return (String) get.get("path");
    }

    private static Map<String, Object> builtWithPrefix(Map<String, Map<String, Object>> built, String prefix) {
        List<String> names = built.keySet().stream().filter(name -> name.startsWith(prefix)).toList();
        assertEquals(1, names.size(), prefix + " in " + built.keySet());
        return built.get(names.get(0));
    }

    private static Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Object p : list(container.get("ports"))) {
            ports.put((String) map(p).get("name"), ((Number) map(p).get("containerPort")).intValue());
        }
        return ports;
    }

    /** The container's env (name to value). */
    private static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object e : list(container.get("env"))) {
            env.put((String) map(e).get("name"), String.valueOf(map(e).get("value")));
        }
        return env;
    }

    /** The value the hub runs with in the Deployment: its env override, else the default. */
    private static String effective(String key) {
        String value = env().get(envName(key));
        return value != null ? value : defaults.getProperty(key).trim();
    }

    /** HUB_* names in secrets.env.example, commented-out ones too, with their values. */
    private static Map<String, String> secretExampleKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(K8S.resolve("secrets.env.example"))) {
                Matcher m = Pattern.compile("^(?:# ?)?([A-Z][A-Z0-9_]*)=(.*)$").matcher(line);
                if (m.matches()) {
                    keys.put(m.group(1), m.group(2));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return keys;
    }

    private static Set<String> hubEnvNamesMatching(Pattern pattern) {
        return propertyKeys.stream().map(DeploymentManifestsTest::envName)
                .filter(name -> pattern.matcher(name).find()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String propertyOf(String envName) {
        return propertyKeys.stream().filter(key -> envName(key).equals(envName)).findFirst().orElse(null);
    }

    private static String envName(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }

    /**
     * The JVM options of the README's "Running on a small box" command, less its
     * -XX:SharedArchiveFile: the CDS archive mvn package writes is tied to target/ and not in the image.
     */
    private static String smallBoxOptions() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("(?s)Running on a small box.*?\\njava (.*?) -jar target/smarttag-hub\\.jar").matcher(readme);
        assertTrue(m.find(), "the README's small-box command");
        return m.group(1).replaceAll("\\s*-XX:SharedArchiveFile=\\S+", "").trim();
    }

    private static long mebibytes(Object quantity) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(String.valueOf(quantity));
        assertTrue(m.matches(), "memory in Mi or Gi: " + quantity);
        return Long.parseLong(m.group(1)) * (m.group(2).equals("Gi") ? 1024 : 1);
    }

    private static String text(Element parent, String... names) {
        Element element = parent;
        for (String name : names) {
            NodeList children = element.getElementsByTagName(name);
            assertTrue(children.getLength() > 0, "pom: " + String.join("/", names));
            element = (Element) children.item(0);
        }
        return element.getTextContent().trim();
    }

    private static List<Object> yaml(Path file) throws Exception {
        List<Object> docs = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file)).forEach(doc -> {
            if (doc != null) {
                docs.add(doc);
            }
        });
        return docs;
    }

    private static Object single(Path file) throws Exception {
        List<Object> docs = yaml(file);
        assertEquals(1, docs.size(), file.toString());
        return docs.get(0);
    }

    private static Object path(Object root, String... keys) {
        Object node = root;
        for (String key : keys) {
            assertTrue(node instanceof Map, "no " + String.join(".", keys));
            node = ((Map<?, ?>) node).get(key);
        }
        assertNotNull(node, String.join(".", keys));
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        assertTrue(node instanceof Map, "a mapping: " + node);
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        assertTrue(node instanceof List, "a list: " + node);
        return (List<Object>) node;
    }

    private static void assertNull(Object value, String message) {
        assertTrue(value == null, message);
    }

    /** The few Dockerfile instructions the test needs (one instruction per line, no continuation except RUN). */
    private record Dockerfile(List<String> lines) {

        private List<String> args(String instruction) {
            return lines.stream().map(String::trim).filter(l -> l.startsWith(instruction + " "))
                    .map(l -> l.substring(instruction.length() + 1).trim()).toList();
        }

        private String one(String instruction) {
            List<String> all = args(instruction);
            assertEquals(1, all.size(), "one " + instruction + " in the Dockerfile: " + all);
            return all.get(0);
        }

        String from() {
            return one("FROM");
        }

        String workdir() {
            return one("WORKDIR").replaceAll("/$", "");
        }

        String user() {
            return one("USER");
        }

        String volume() {
            return one("VOLUME");
        }

        String entrypoint() {
            return one("ENTRYPOINT");
        }

        Set<Integer> exposed() {
            return Stream.of(one("EXPOSE").split("\\s+")).map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new));
        }

        String env(String name) {
            for (String env : args("ENV")) {
                Matcher m = Pattern.compile(Pattern.quote(name) + "=\"(.*)\"").matcher(env);
                if (m.matches()) {
                    return m.group(1);
                }
            }
            return null;
        }

        Map<String, String> copies() {
            Map<String, String> copies = new LinkedHashMap<>();
            for (String copy : args("COPY")) {
                String[] parts = copy.split("\\s+");
                assertEquals(2, parts.length, "COPY <source> <destination>: " + copy);
                copies.put(parts[0], parts[1]);
            }
            return copies;
        }
    }
}
