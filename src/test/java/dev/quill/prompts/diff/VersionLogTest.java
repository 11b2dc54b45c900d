package dev.quill.prompts.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quill.prompts.PromptException;
import dev.quill.prompts.PromptTemplate;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

class VersionLogTest {
    @Test
    void changesMakeNumberedVersionsWithParentsAndUnchangedContentMakesNone() {
        VersionLog log = new VersionLog("a", Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));
        PromptTemplate v1 = PromptTemplate.builder("a").body("Say hi.").build();
        PromptVersion first = log.commit(v1, "first", 0);
        assertEquals(1, first.number());
        assertEquals(0, first.parent());
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), first.createdAt());
        assertSame(first, log.commit(v1.toBuilder().build(), "no change", 1));
        PromptVersion second = log.commit(v1.toBuilder().body("Say hello.").build(), "friendlier", 1);
        PromptVersion branch = log.commit(v1.toBuilder().body("Say hey.").build(), "from v1 again", 1);
        assertEquals(List.of(1, 2, 3), log.versions().stream().map(PromptVersion::number).toList());
        assertEquals(1, second.parent());
        assertEquals(1, branch.parent());
        assertEquals("@@ -1,1 +1,1 @@\n-Say hello.\n+Say hey.\n", LineDiff.unified(log.diff(2, 3).sections().getFirst().hunks()));
        assertThrows(PromptException.class, () -> log.commit(v1, "", 7));
        assertThrows(PromptException.class, () -> log.commit(PromptTemplate.builder("b").body("x").build(), "", 1));
    }
}
