package dev.quill.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Executes statements for one rendering, writing into {@link Output} buffers. */
final class Renderer {
    /** How a statement list ended: normally, or by a loop control that the enclosing loop handles. */
    enum Signal { NORMAL, BREAK, CONTINUE }

    /** A text buffer that enforces the output limits on every write. */
    static final class Output {
        private final StringBuilder text = new StringBuilder();
        private final RenderBudget budget;

        Output(RenderBudget budget) {
            this.budget = budget;
        }

        void append(String s) {
            budget.checkSize((long) text.length() + s.length());
            budget.wrote(s.length());
            text.append(s);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    private final Evaluator ev;
    private final RenderBudget budget;
    /** The template-level scope, which non-scoped blocks render in. */
    private Frame root;

    Renderer(Evaluator ev) {
        this.ev = ev;
        this.budget = ev.budget;
    }

    String render(List<Stmt> body, Frame rootFrame) {
        this.root = rootFrame;
        Output out = new Output(budget);
        execute(body, rootFrame, out);
        return out.toString();
    }

    Object evaluate(Expr e, Frame frame) {
        return ev.eval(e, frame);
    }

    /** Renders a macro body in its call frame. */
    String renderCall(List<Stmt> body, Frame frame) {
        budget.enterCall();
        try {
            Output out = new Output(budget);
            execute(body, frame, out);
            return out.toString();
        } finally {
            budget.exitCall();
        }
    }

    private Signal execute(List<Stmt> body, Frame frame, Output out) {
        for (Stmt s : body) {
            Signal signal = executeOne(s, frame, out);
            if (signal != Signal.NORMAL) {
                return signal;
            }
        }
        return Signal.NORMAL;
    }

    private Signal executeOne(Stmt stmt, Frame frame, Output out) {
        try {
            return switch (stmt) {
                case Stmt.Text t -> {
                    out.append(t.text());
                    yield Signal.NORMAL;
                }
                case Stmt.Print p -> {
                    out.append(ev.text(ev.eval(p.expr(), frame)));
                    yield Signal.NORMAL;
                }
                case Stmt.If i -> executeIf(i, frame, out);
                case Stmt.For f -> {
                    runLoop(f, ev.eval(f.iterable(), frame), frame, out, 1);
                    yield Signal.NORMAL;
                }
                case Stmt.Set s -> {
                    assign(s.target(), ev.eval(s.value(), frame), frame);
                    yield Signal.NORMAL;
                }
                case Stmt.SetBlock s -> {
                    Output captured = new Output(budget);
                    Signal signal = execute(s.body(), new Frame(frame), captured);
                    Object value = captured.toString();
                    if (s.filter() != null) {
                        value = ev.applyFilterChain(s.filter(), value, frame);
                    }
                    assign(s.target(), value, frame);
                    yield signal;
                }
                case Stmt.Macro m -> {
                    frame.set(m.name(), new Macro(m, frame, this));
                    yield Signal.NORMAL;
                }
                case Stmt.CallBlock c -> {
                    Stmt.Macro callerDefinition = new Stmt.Macro(null, c.params(), c.body(), c.catchesVarargs(),
                            c.catchesKwargs(), c.usesCaller(), c.line());
                    Object callee = ev.eval(c.call().callee(), frame);
                    Arguments args = ev.arguments(c.call().args(), c.call().keywords(), frame);
                    Map<String, Object> keywords = new LinkedHashMap<>(args.keywords());
                    keywords.put("caller", new Macro(callerDefinition, frame, this));
                    out.append(ev.text(ev.call(callee, new Arguments(args.positional(), keywords))));
                    yield Signal.NORMAL;
                }
                case Stmt.FilterBlock f -> {
                    Output captured = new Output(budget);
                    Signal signal = execute(f.body(), new Frame(frame), captured);
                    out.append(ev.text(ev.applyFilterChain(f.filter(), captured.toString(), frame)));
                    yield signal;
                }
                case Stmt.With w -> {
                    List<Object> values = new ArrayList<>();
                    for (Expr v : w.values()) {
                        values.add(ev.eval(v, frame));
                    }
                    Frame inner = new Frame(frame);
                    for (int i = 0; i < values.size(); i++) {
                        assign(w.targets().get(i), values.get(i), inner);
                    }
                    yield execute(w.body(), inner, out);
                }
                case Stmt.Block b -> execute(b.body(), frame, out);
                case Stmt.NamedBlock b -> {
                    execute(b.body(), new Frame(b.scoped() ? frame : root), out);
                    yield Signal.NORMAL;
                }
                case Stmt.LoaderRequired l -> throw new TemplateException("no loader for this environment specified");
                case Stmt.Break b -> Signal.BREAK;
                case Stmt.Continue c -> Signal.CONTINUE;
            };
        } catch (TemplateException e) {
            throw e.atLine(stmt.line());
        }
    }

    private Signal executeIf(Stmt.If node, Frame frame, Output out) {
        for (int i = 0; i < node.conditions().size(); i++) {
            if (PyOps.truthy(ev.eval(node.conditions().get(i), frame))) {
                return execute(node.bodies().get(i), frame, out);
            }
        }
        return execute(node.otherwise(), frame, out);
    }

    /** One loop run; recursive loops re-enter here through {@code loop(items)} one level deeper. */
    private void runLoop(Stmt.For loop, Object iterable, Frame frame, Output out, int depth) {
        List<Object> items = PyOps.iterate(iterable);
        if (loop.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                budget.countIteration();
                Frame f = new Frame(frame);
                assign(loop.target(), item, f);
                if (PyOps.truthy(ev.eval(loop.filter(), f))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        TemplateCallable recurse = !loop.recursive() ? null : args -> {
            if (args.positional().size() != 1 || !args.keywords().isEmpty()) {
                throw new TemplateException("loop() takes exactly one argument");
            }
            budget.enterCall();
            try {
                Output nested = new Output(budget);
                runLoop(loop, args.positional().get(0), frame, nested, depth + 1);
                return nested.toString();
            } finally {
                budget.exitCall();
            }
        };
        LoopContext context = new LoopContext(items, depth, recurse);
        // Jinja2 clears its "else" flag only where an iteration reaches the end of the body, so
        // the else block also runs when every iteration ended in break or continue.
        boolean bodyCompleted = false;
        for (int i = 0; i < items.size(); i++) {
            budget.countIteration();
            context.moveTo(i);
            Frame iteration = new Frame(frame);
            assign(loop.target(), items.get(i), iteration);
            iteration.set("loop", context);
            Signal signal = execute(loop.body(), iteration, out);
            if (signal == Signal.NORMAL) {
                bodyCompleted = true;
            } else if (signal == Signal.BREAK) {
                break;
            }
        }
        if (!bodyCompleted) {
            execute(loop.otherwise(), new Frame(frame), out);
        }
    }

    private void assign(Stmt.Target target, Object value, Frame frame) {
        switch (target) {
            case Stmt.Target.Name n -> frame.set(n.name(), value);
            case Stmt.Target.Tuple t -> {
                List<Object> values = PyOps.iterate(value);
                int expected = t.items().size();
                if (values.size() < expected) {
                    throw new TemplateException("not enough values to unpack (expected " + expected + ", got "
                            + values.size() + ")");
                }
                if (values.size() > expected) {
                    throw new TemplateException("too many values to unpack (expected " + expected + ")");
                }
                for (int i = 0; i < expected; i++) {
                    assign(t.items().get(i), values.get(i), frame);
                }
            }
            case Stmt.Target.NamespaceAttribute na -> {
                Object ns = frame.lookup(na.namespace());
                if (!(ns instanceof Namespace namespace)) {
                    throw new TemplateException("Cannot assign attribute on non-namespace object");
                }
                namespace.attributes.put(na.attribute(), value);
            }
        }
    }
}
