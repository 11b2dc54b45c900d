package dev.quill.chat;

import java.util.AbstractList;

/** {@code range(start, stop, step)} without materializing it; the sandbox caps its length. */
final class RangeList extends AbstractList<Object> {
    /** Jinja2's sandbox refuses larger ranges (MAX_RANGE). */
    static final int MAX_RANGE = 100_000;

    final long start;
    final long stop;
    final long step;
    private final int size;

    RangeList(long start, long stop, long step) {
        if (step == 0) {
            throw new TemplateException("range() arg 3 must not be zero");
        }
        long count = step > 0 ? (stop > start ? (stop - start - 1) / step + 1 : 0)
                : (start > stop ? (start - stop - 1) / (-step) + 1 : 0);
        if (count > MAX_RANGE) {
            throw new TemplateException("Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
        }
        this.start = start;
        this.stop = stop;
        this.step = step;
        this.size = (int) count;
    }

    @Override
    public Object get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return start + index * step;
    }

    @Override
    public int size() {
        return size;
    }
}
