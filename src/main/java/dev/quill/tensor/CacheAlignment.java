package dev.quill.tensor;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Whether this JVM aligns objects to 64 bytes, so that the kernels' arrays can start on a cache
 * line ({@link TiledMatMul#ALIGNED}). Only speed depends on it, so tools report it next to their
 * figures rather than refusing to run.
 */
public final class CacheAlignment {
    private CacheAlignment() {
    }

    /**
     * The index of a float array whose address is a multiple of 64 bytes when objects are
     * 64-byte aligned (array data follows a 16-byte header); only a few unused floats otherwise.
     */
    public static final int FIRST_ALIGNED_FLOAT = TiledMatMul.ALIGNED;

    /** The JVM's object alignment in bytes (8 unless set), or 0 where the JVM does not say. */
    public static int objectAlignmentBytes() {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotSpot == null ? 0 : Integer.parseInt(hotSpot.getVMOption("ObjectAlignmentInBytes").getValue());
        } catch (RuntimeException notHotSpot) {
            return 0;
        }
    }

    /** Whether objects are 64-byte aligned (the launcher's {@code -XX:ObjectAlignmentInBytes=64}). */
    public static boolean objectsCacheLineAligned() {
        int alignment = objectAlignmentBytes();
        return alignment > 0 && alignment % 64 == 0;
    }
}
