package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightMatrixFactoryTest {
    @Test
    void everySupportedTypeHasAMatrixAndAQuantizer() {
        GgmlType[] supported = Arrays.stream(GgmlType.values()).filter(GgmlType::supported).toArray(GgmlType[]::new);
        // The kernel checks cover exactly the supported types.
        assertEquals(Set.of(KernelChecks.TYPES), Set.of(supported));
        for (GgmlType type : supported) {
            int cols = type.blockSize() * 2;
            WeightMatrix m = WeightMatrix.of(type, MemorySegment.ofArray(new byte[(int) type.byteSize(cols) * 3]), 3, cols);
            assertSame(type, m.type());
            assertEquals(3, m.rows());
            assertEquals(cols, m.cols());
            assertEquals(type.byteSize(cols), m.rowBytes());
            assertSame(type, Quantizer.of(type).type());
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"IQ2_XXS", "IQ4_XS", "TQ1_0", "Q8_K", "I8", "MXFP4"})
    void unsupportedTypesAreRefusedByName(GgmlType type) {
        MemorySegment seg = MemorySegment.ofArray(new byte[type.blockBytes()]);
        UnsupportedWeightTypeException e =
                assertThrows(UnsupportedWeightTypeException.class, () -> WeightMatrix.of(type, seg, 1, type.blockSize()));
        assertSame(type, e.type());
        assertTrue(e.getMessage().contains(type.name()), e.getMessage());
        UnsupportedWeightTypeException q = assertThrows(UnsupportedWeightTypeException.class, () -> Quantizer.of(type));
        assertTrue(q.getMessage().contains(type.name()), q.getMessage());
    }

    @Test
    void segmentSizeMustMatchTheShape() {
        long rowBytes = GgmlType.Q4_K.byteSize(512);
        // One row short, one byte short and one row too many: all name the type and the sizes.
        for (long size : new long[] {rowBytes * 3, rowBytes * 4 - 1, rowBytes * 5}) {
            MemorySegment seg = MemorySegment.ofArray(new byte[(int) size]);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> WeightMatrix.of(GgmlType.Q4_K, seg, 4, 512));
            assertTrue(e.getMessage().contains("Q4_K") && e.getMessage().contains(Long.toString(size)), e.getMessage());
        }
    }

    @Test
    void columnsMustBeWholeBlocks() {
        MemorySegment seg = MemorySegment.ofArray(new byte[34 * 2]);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> WeightMatrix.of(GgmlType.Q8_0, seg, 1, 48));
        assertTrue(e.getMessage().contains("Q8_0") && e.getMessage().contains("48"), e.getMessage());
        IllegalArgumentException negative =
                assertThrows(IllegalArgumentException.class, () -> WeightMatrix.of(GgmlType.F32, seg, -1, 4));
        assertTrue(negative.getMessage().contains("F32"), negative.getMessage());
    }

    @Test
    void quantizerRefusesPartialBlocksAndShortDestinations() {
        Quantizer q = Quantizer.of(GgmlType.Q6_K);
        float[] src = new float[512];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(GgmlType.Q6_K.byteSize(512));
            IllegalArgumentException partial =
                    assertThrows(IllegalArgumentException.class, () -> q.quantizeRow(src, 0, 300, dst, 0));
            assertTrue(partial.getMessage().contains("Q6_K") && partial.getMessage().contains("300"), partial.getMessage());
            IllegalArgumentException shortDst =
                    assertThrows(IllegalArgumentException.class, () -> q.quantizeRow(src, 0, 512, dst, 1));
            assertTrue(shortDst.getMessage().contains("Q6_K"), shortDst.getMessage());
            IllegalArgumentException shortSrc =
                    assertThrows(IllegalArgumentException.class, () -> q.quantizeRow(src, 256, 512, dst, 0));
            assertTrue(shortSrc.getMessage().contains("Q6_K"), shortSrc.getMessage());
            // The exact fit is accepted.
            q.quantizeRow(src, 0, 512, dst, 0);
        }
    }

    @Test
    void heapSegmentsAreCopiedOffHeapAndNativeOnesAreShared() {
        byte[] bytes = new byte[8];
        WeightMatrix fromHeap = WeightMatrix.of(GgmlType.F32, MemorySegment.ofArray(bytes), 1, 2);
        assertTrue(fromHeap.segment().isNative());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(8);
            WeightMatrix fromNative = WeightMatrix.of(GgmlType.F32, seg, 1, 2);
            assertEquals(seg.address(), fromNative.segment().address());
        }
    }
}
