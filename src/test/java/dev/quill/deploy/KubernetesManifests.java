package dev.quill.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads Kubernetes YAML into fabric8's typed model of the Kubernetes API, offline, and reports what
 * the API server would refuse or silently drop: an unknown kind, a value of the wrong type, and a
 * field the object's schema does not have (fabric8 keeps those aside instead of failing).
 */
final class KubernetesManifests {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    /** A parsed object and the file it came from. */
    record Manifest(Path file, HasMetadata object) {
    }

    private KubernetesManifests() {
    }

    /** Every object in every *.yaml under the folder; each problem found is added to {@code problems}. */
    static List<Manifest> load(Path folder, List<String> problems) throws IOException {
        List<Manifest> manifests = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
                for (HasMetadata object : parse(file.getFileName().toString(), Files.readString(file), problems)) {
                    manifests.add(new Manifest(file, object));
                }
            }
        }
        return manifests;
    }

    /** The objects of one YAML text (documents separated by ---). */
    static List<HasMetadata> parse(String name, String yaml, List<String> problems) {
        List<HasMetadata> objects = new ArrayList<>();
        int n = 0;
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            n++;
            if (document.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                continue;
            }
            String where = name + " document " + n;
            Object parsed;
            try {
                parsed = SERIALIZATION.unmarshal(document, KubernetesResource.class);
            } catch (RuntimeException e) {
                problems.add(where + ": not a valid Kubernetes object: " + rootMessage(e));
                continue;
            }
            if (parsed instanceof GenericKubernetesResource g) {
                problems.add(where + ": unknown kind " + g.getApiVersion() + "/" + g.getKind());
                continue;
            }
            if (!(parsed instanceof HasMetadata object)) {
                problems.add(where + ": not a Kubernetes object with metadata: " + parsed);
                continue;
            }
            String label = where + " (" + object.getKind() + " " + object.getMetadata().getName() + ")";
            unknownFields(object, label, problems, new IdentityHashMap<>());
            objects.add(object);
        }
        return objects;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage().lines().findFirst().orElse(t.toString());
    }

    /** Walks the model objects: any field kept in additionalProperties is one the schema does not define. */
    private static void unknownFields(Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : value.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child;
            try {
                child = m.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet() + " in " + value.getClass().getSimpleName());
                }
            } else {
                String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                unknownFields(child, path + "." + field, problems, seen);
            }
        }
    }
}
