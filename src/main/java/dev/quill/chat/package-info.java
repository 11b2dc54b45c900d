/**
 * Chat templates: renders the Jinja2 chat templates that GGUF models carry in
 * {@code tokenizer.chat_template} exactly as Hugging Face transformers does.
 *
 * <p>Entry points: {@link dev.quill.chat.ChatTemplate#compile(String)}, then
 * {@link dev.quill.chat.ChatTemplate#render(java.util.Map)} or
 * {@link dev.quill.chat.ChatTemplate#renderChat}; {@link dev.quill.chat.ChatTemplates#fallback()}
 * for models without a template. Errors are {@link dev.quill.chat.TemplateException}s; a template's
 * own {@code raise_exception} is a {@link dev.quill.chat.TemplateRaisedException}.
 *
 * <p>The interpreter is our own: {@code Lexer} (whitespace control, trim/lstrip blocks),
 * {@code Parser}/{@code ExpressionParser} (Jinja2 grammar and precedence) building
 * {@code Stmt}/{@code Expr} trees, {@code Renderer}/{@code Evaluator} executing them with Python
 * value semantics ({@code PyOps}, {@code PyRepr}, {@code PyArithmetic}, {@code PyStrings},
 * {@code PyFormat}, {@code PyJson}), and the built-ins in {@code Filters},
 * {@code SequenceFilters}, {@code Tests}, {@code Methods} and {@code Globals}. It was checked
 * against Python jinja2 3.1.6 on real published templates and on fuzzed templates.
 *
 * <p>Known differences from Python: integers are 64-bit (overflow fails instead of growing);
 * complex results (a negative number to a fractional power) fail; methods called on Markup
 * return plain strings; iterators print without a memory address; the filters
 * {@code slice}, {@code striptags}, {@code urlencode}, {@code urlize}, {@code wordwrap},
 * {@code xmlattr}, {@code filesizeformat} and {@code random} and the globals {@code cycler} and
 * {@code lipsum} are absent (a template using them fails with "No filter named ...").
 */
package dev.quill.chat;
