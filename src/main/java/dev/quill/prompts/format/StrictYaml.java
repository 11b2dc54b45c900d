package dev.quill.prompts.format;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Represent;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.regex.Pattern;

/**
 * SnakeYAML set up for hand-edited front matter: YAML 1.2-style scalars, so that {@code Yes},
 * {@code No}, {@code on}, {@code 012} and {@code 12:30} stay strings (YAML 1.1 would read booleans,
 * octal and sexagesimal numbers), no timestamps, no merge keys, no custom tags; bounded aliases,
 * nesting and size so a hostile file cannot blow up.
 */
final class StrictYaml {
    static final Pattern BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
    static final Pattern INT = Pattern.compile("^[-+]?(?:0|[1-9][0-9]*)$");
    static final Pattern FLOAT = Pattern.compile("^[-+]?(?:[0-9]+\\.[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?$");
    static final Pattern NULL = Pattern.compile("^(?:~|null|Null|NULL|)$");

    /** A list the writer emits in flow style ({@code [a, b]}): short lists of scalars. */
    static final class FlowList extends ArrayList<Object> {
        FlowList(Collection<?> items) {
            super(items);
        }
    }

    private static final class StrictResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            // Qualified: the unqualified names would be Resolver's own (YAML 1.1) patterns, inherited.
            addImplicitResolver(Tag.BOOL, StrictYaml.BOOL, "tTfF");
            addImplicitResolver(Tag.INT, StrictYaml.INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, StrictYaml.FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.NULL, StrictYaml.NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, Resolver.EMPTY, null);
        }
    }

    private static final class ReadableRepresenter extends Representer {
        ReadableRepresenter(DumperOptions options) {
            super(options);
            Represent plainString = representers.get(String.class);
            // Multi-line text as a literal block; SnakeYAML falls back to quoting when a literal
            // block cannot hold the text exactly (e.g. trailing spaces).
            representers.put(String.class, data -> {
                String s = (String) data;
                if (s.indexOf('\n') >= 0) {
                    // Text as a literal block; whitespace-only strings (stop sequences such as "\n")
                    // and text starting with a space read better and safer as "\n" escapes.
                    boolean literal = !s.isBlank() && !Character.isWhitespace(s.charAt(0));
                    return representScalar(Tag.STR, s, literal ? DumperOptions.ScalarStyle.LITERAL : DumperOptions.ScalarStyle.DOUBLE_QUOTED);
                }
                return plainString.representData(data);
            });
            representers.put(FlowList.class, data -> representSequence(Tag.SEQ, (FlowList) data, DumperOptions.FlowStyle.FLOW));
        }
    }

    private StrictYaml() {
    }

    static Yaml create() {
        LoaderOptions loader = new LoaderOptions();
        loader.setAllowDuplicateKeys(false);
        loader.setMaxAliasesForCollections(10);
        loader.setAllowRecursiveKeys(false);
        loader.setNestingDepthLimit(20);
        loader.setCodePointLimit(1_000_000);
        DumperOptions dumper = new DumperOptions();
        dumper.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        dumper.setIndent(2);
        dumper.setIndicatorIndent(2);
        dumper.setIndentWithIndicator(true);
        dumper.setWidth(Integer.MAX_VALUE);
        dumper.setSplitLines(false);
        dumper.setLineBreak(DumperOptions.LineBreak.UNIX);
        return new Yaml(new SafeConstructor(loader), new ReadableRepresenter(dumper), dumper, loader, new StrictResolver());
    }

    static Node compose(Yaml yaml, String text) {
        return yaml.compose(new StringReader(text));
    }
}
