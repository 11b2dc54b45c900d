package dev.quill.chat;

import java.util.List;

/** The {@code loop} variable inside a for loop; one object advanced per iteration, as in Jinja2. */
final class LoopContext implements TemplateCallable {
    private final List<Object> items;
    private final int depth;
    /** Renders the loop body over new items one level deeper; null unless the loop is recursive. */
    private final TemplateCallable recurse;
    private int index0;
    private Object lastChanged = Frame.MISSING;

    LoopContext(List<Object> items, int depth, TemplateCallable recurse) {
        this.items = items;
        this.depth = depth;
        this.recurse = recurse;
    }

    void moveTo(int index) {
        index0 = index;
    }

    int index0() {
        return index0;
    }

    int length() {
        return items.size();
    }

    Object attribute(String name) {
        int length = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (length - index0);
            case "revindex0" -> (long) (length - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == length - 1;
            case "length" -> (long) length;
            case "depth" -> (long) depth;
            case "depth0" -> (long) depth - 1;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.because("there is no previous item");
            case "nextitem" -> index0 < length - 1 ? items.get(index0 + 1) : Undefined.because("there is no next item");
            case "cycle" -> (TemplateCallable) this::cycle;
            case "changed" -> (TemplateCallable) this::changed;
            default -> Frame.MISSING;
        };
    }

    private Object cycle(Arguments args) {
        List<Object> values = args.positional();
        if (values.isEmpty()) {
            throw new TemplateException("no items for cycling given");
        }
        return values.get(index0 % values.size());
    }

    private Object changed(Arguments args) {
        PyTuple values = new PyTuple(args.positional());
        if (lastChanged != Frame.MISSING && PyOps.equal(lastChanged, values)) {
            return false;
        }
        lastChanged = values;
        return true;
    }

    @Override
    public Object call(Arguments args) {
        if (recurse == null) {
            throw new TemplateException("Tried to call non recursive loop. Maybe you forgot the 'recursive' modifier.");
        }
        return recurse.call(args);
    }
}
