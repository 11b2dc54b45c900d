package dev.quill.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.server.QuillConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s, offline: every object against the Kubernetes schema (fabric8's typed model), then the
 * wiring a typo would break: labels, ports, probes, referenced ConfigMaps, Secrets, volumes and
 * keys, and the environment names against Quill's configuration.
 */
class KubernetesManifestsTest {
    static final Path FOLDER = ProjectFiles.root().resolve("deploy/k8s");
    private static List<KubernetesManifests.Manifest> manifests;
    private static final List<String> problems = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        manifests = KubernetesManifests.load(FOLDER, problems);
    }

    private static <T extends HasMetadata> List<T> all(Class<T> kind) {
        return manifests.stream().map(KubernetesManifests.Manifest::object).filter(kind::isInstance).map(kind::cast).toList();
    }

    private static <T extends HasMetadata> T named(Class<T> kind, String name) {
        return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " named " + name + " in " + FOLDER));
    }

    private static Deployment quill() {
        return named(Deployment.class, "quill");
    }

    private static Container server() {
        return quill().getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    @Test
    void everyObjectMatchesTheKubernetesSchema() {
        assertEquals(List.of(), problems);
        Set<String> kinds = new HashSet<>();
        manifests.forEach(m -> kinds.add(m.object().getKind()));
        assertEquals(Set.of("ConfigMap", "Secret", "PersistentVolumeClaim", "Deployment", "PodDisruptionBudget", "Service",
                "StatefulSet"), kinds);
    }

    @Test
    void theValidatorReportsWhatTheApiServerWouldRefuseOrDrop() {
        Map<String, String> bad = Map.of(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replica: 2\n", "unknown field(s) [replica]",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: two\n", "not a valid Kubernetes object",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: c\n      imagePulPolicy: Always\n",
                "unknown field(s) [imagePulPolicy]",
                "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: a\n", "unknown kind example.com/v1/Widget");
        bad.forEach((yaml, expected) -> {
            List<String> found = new ArrayList<>();
            KubernetesManifests.parse("bad.yaml", yaml, found);
            assertTrue(found.size() == 1 && found.getFirst().contains(expected), expected + " expected, got " + found);
        });
    }

    @Test
    void theServiceReachesTheServerPort() throws IOException {
        Service service = named(Service.class, "quill");
        Map<String, String> podLabels = quill().getSpec().getTemplate().getMetadata().getLabels();
        service.getSpec().getSelector().forEach((k, v) -> assertEquals(v, podLabels.get(k), "selector " + k));
        assertEquals(quill().getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
        String target = service.getSpec().getPorts().getFirst().getTargetPort().getStrVal();
        var port = server().getPorts().stream().filter(p -> p.getName().equals(target)).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + target));
        // The port the server listens on by default (the image does not change it).
        String properties = Files.readString(ProjectFiles.root().resolve("src/main/resources/application.properties"));
        Matcher m = Pattern.compile("(?m)^quarkus\\.http\\.port=(\\d+)$").matcher(properties);
        assertTrue(m.find());
        assertEquals(Integer.parseInt(m.group(1)), port.getContainerPort());
        for (var probe : List.of(server().getLivenessProbe(), server().getReadinessProbe(), server().getStartupProbe())) {
            assertEquals(target, probe.getHttpGet().getPort().getStrVal());
        }
        assertEquals("/q/health/ready", server().getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/live", server().getLivenessProbe().getHttpGet().getPath());
    }

    @Test
    void everyReferencedObjectKeyAndVolumeExists() {
        var pod = quill().getSpec().getTemplate().getSpec();
        Set<String> volumes = new HashSet<>();
        pod.getVolumes().forEach(v -> {
            volumes.add(v.getName());
            if (v.getPersistentVolumeClaim() != null) {
                named(PersistentVolumeClaim.class, v.getPersistentVolumeClaim().getClaimName());
            }
        });
        List<Container> containers = new ArrayList<>(pod.getInitContainers());
        containers.addAll(pod.getContainers());
        for (Container c : containers) {
            c.getVolumeMounts().forEach(vm -> assertTrue(volumes.contains(vm.getName()), c.getName() + " mounts " + vm.getName()));
            environment(c); // fails on a missing ConfigMap, Secret or key
        }
    }

    /** A container's environment as Kubernetes builds it: envFrom, then env (values of referenced keys). */
    private static Map<String, String> environment(Container c) {
        Map<String, String> env = new HashMap<>();
        for (var from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                env.putAll(named(ConfigMap.class, from.getConfigMapRef().getName()).getData());
            }
            if (from.getSecretRef() != null) {
                env.putAll(named(Secret.class, from.getSecretRef().getName()).getStringData());
            }
        }
        for (var e : c.getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                String value = named(Secret.class, ref.getName()).getStringData().get(ref.getKey());
                assertTrue(value != null, "secret " + ref.getName() + " has no key " + ref.getKey());
                env.put(e.getName(), value);
            } else {
                env.put(e.getName(), e.getValue());
            }
        }
        return env;
    }

    @Test
    void everyQuillVariableIsAConfigurationKeyTheServerReads() throws IOException {
        Set<String> known = new HashSet<>();
        configKeys(QuillConfig.class, "QUILL_", known);
        // Read through property expressions in application.properties, e.g. ${quill.log-json:false}.
        Matcher expr = Pattern.compile("\\$\\{(quill\\.[a-z.-]+)").matcher(
                Files.readString(ProjectFiles.root().resolve("src/main/resources/application.properties")));
        while (expr.find()) {
            known.add(expr.group(1).toUpperCase().replace('.', '_').replace('-', '_'));
        }
        known.add("QUILL_HEAP"); // read by the image's entrypoint, like deploy/quill
        Container pull = quill().getSpec().getTemplate().getSpec().getInitContainers().getFirst();
        String pullArgs = String.join(" ", pull.getArgs());
        for (String name : environment(server()).keySet()) {
            if (name.startsWith("QUILL_") && !known.contains(name)) {
                // Only the init container's pull arguments may use other names.
                assertTrue(pullArgs.contains("$(" + name + ")"), name + " is no configuration key (known: " + known + ")");
            }
        }
    }

    private static void configKeys(Class<?> type, String prefix, Set<String> keys) {
        for (Method m : type.getDeclaredMethods()) {
            String name = prefix + m.getName().replaceAll("([A-Z])", "_$1").toUpperCase();
            if (m.getReturnType().isInterface() && m.getReturnType().getEnclosingClass() == type) {
                configKeys(m.getReturnType(), name + "_", keys);
            } else {
                keys.add(name);
            }
        }
    }

    @Test
    void theInitContainerPullsTheModelTheServerServes() {
        Container pull = quill().getSpec().getTemplate().getSpec().getInitContainers().getFirst();
        assertEquals(server().getImage(), pull.getImage());
        assertEquals(List.of("pull", "$(QUILL_MODEL_REPO)", "$(QUILL_MODEL_FILE)", "--models-dir", "/models"),
                pull.getArgs().subList(0, 5));
        Map<String, String> env = environment(server());
        assertEquals(env.get("QUILL_MODEL_FILE").replaceFirst("\\.gguf$", ""), env.get("QUILL_DEFAULT_MODEL"));
        assertTrue(env.get("QUILL_MODEL_REPO").matches("[\\w.-]+/[\\w.-]+"), env.get("QUILL_MODEL_REPO"));
        assertTrue(server().getVolumeMounts().stream().anyMatch(v -> v.getMountPath().equals("/models")));
    }

    @Test
    void severalReplicasSharePromptsThroughPostgresql() {
        assertTrue(quill().getSpec().getReplicas() > 1);
        Map<String, String> env = environment(server());
        assertEquals("postgresql", env.get("QUILL_DB_KIND"));
        URI url = URI.create(env.get("QUILL_DB_URL").substring("jdbc:".length()));
        Service db = named(Service.class, url.getHost());
        assertEquals(url.getPort(), db.getSpec().getPorts().getFirst().getPort());
        assertTrue(env.get("QUILL_DB_USER") != null && env.get("QUILL_DB_PASSWORD") != null);
    }

    @Test
    void memoryCoversTheHeapAndCpuMatchesTheThreads() {
        Map<String, String> env = environment(server());
        var resources = server().getResources();
        BigDecimal limit = Quantity.getAmountInBytes(resources.getLimits().get("memory"));
        assertEquals(resources.getRequests().get("memory"), resources.getLimits().get("memory"), "memory is not overcommitted");
        BigDecimal heap = Quantity.getAmountInBytes(new Quantity(env.get("QUILL_HEAP").replaceAll("([kmg])$", "$1i")
                .toUpperCase().replace("I", "i")));
        // The formula of the README: model file + heap + 256 MiB for the JVM outside the heap.
        assertTrue(limit.compareTo(heap.add(BigDecimal.valueOf(256L << 20))) > 0, "limit " + limit + " heap " + heap);
        assertEquals(new BigDecimal(env.get("QUILL_THREADS")), Quantity.getAmountInBytes(resources.getRequests().get("cpu")));
        assertTrue(quill().getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
    }
}
