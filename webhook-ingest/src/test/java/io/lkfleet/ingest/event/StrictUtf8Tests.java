package io.lkfleet.ingest.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link StrictUtf8} judges bytes exactly as the JDK's UTF-8 decoder with REPORT, which the service used before. */
class StrictUtf8Tests {
    private static final CharsetDecoder JDK = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    @Test
    void agreesWithTheJdkDecoderOnEveryOneAndTwoByteSequence() {
        for (int a = 0; a < 256; a++) {
            assertSame(new byte[] {(byte) a});
            for (int b = 0; b < 256; b++) {
                assertSame(new byte[] {(byte) a, (byte) b});
            }
        }
    }

    /** Every lead byte of a longer form with every second byte, and later bytes on both sides of each range bound. */
    @Test
    void agreesWithTheJdkDecoderOnLongerSequencesAroundEveryBoundary() {
        int[] tails = {0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0};
        for (int a = 0xE0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                for (int c : tails) {
                    assertSame(new byte[] {(byte) a, (byte) b, (byte) c});
                    for (int d = 0; a >= 0xF0 && d < tails.length; d++) {
                        assertSame(new byte[] {(byte) a, (byte) b, (byte) c, (byte) tails[d]});
                    }
                }
            }
        }
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomMostlyTextBytes() {
        Random random = new Random(16);
        byte[] text = "{\"room\":{\"name\":\"caf\u00e9 \u4f1a\u8bae \ud83d\ude80\"}}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = text.clone();
            for (int flips = random.nextInt(3); flips >= 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            assertSame(bytes);
        }
    }

    @Test
    void takesWellFormedTextAndRefusesSurrogatesOverlongFormsAndTruncation() {
        assertTrue(StrictUtf8.isWellFormed(new byte[0]));
        assertTrue(StrictUtf8.isWellFormed("a\u00e9\u4f1a\ud83d\ude80\u0000".getBytes(StandardCharsets.UTF_8)));
        assertFalse(StrictUtf8.isWellFormed(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})); // U+D800
        assertFalse(StrictUtf8.isWellFormed(new byte[] {(byte) 0xC0, (byte) 0xAF})); // overlong '/'
        assertFalse(StrictUtf8.isWellFormed(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80})); // > U+10FFFF
        assertFalse(StrictUtf8.isWellFormed(new byte[] {'a', (byte) 0xE2, (byte) 0x82})); // truncated
    }

    private static void assertSame(byte[] bytes) {
        boolean jdk;
        try {
            JDK.decode(ByteBuffer.wrap(bytes));
            jdk = true;
        } catch (CharacterCodingException e) {
            jdk = false;
        }
        assertEquals(jdk, StrictUtf8.isWellFormed(bytes), () -> java.util.HexFormat.of().formatHex(bytes));
    }
}
