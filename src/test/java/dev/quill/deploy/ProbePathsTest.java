package dev.quill.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Deployment's probes ask paths the server answers (a health status, not a 404). */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class ProbePathsTest {
    @TestHTTPResource("/")
    URI root;

    @Test
    void probesPointAtHealthEndpointsThatExist() throws Exception {
        List<String> problems = new ArrayList<>();
        var deployments = KubernetesManifests.load(KubernetesManifestsTest.FOLDER, problems).stream()
                .map(KubernetesManifests.Manifest::object).filter(Deployment.class::isInstance).map(Deployment.class::cast).toList();
        assertTrue(problems.isEmpty() && !deployments.isEmpty(), problems.toString());
        TestHttp http = new TestHttp(root, null);
        for (var container : deployments.getFirst().getSpec().getTemplate().getSpec().getContainers()) {
            for (var probe : List.of(container.getLivenessProbe(), container.getReadinessProbe(), container.getStartupProbe())) {
                String path = probe.getHttpGet().getPath();
                var r = http.get(path);
                assertTrue(r.statusCode() == 200 || r.statusCode() == 503, path + " answered " + r.statusCode());
                assertTrue(r.body().contains("\"status\""), path + ": " + r.body());
            }
        }
    }
}
