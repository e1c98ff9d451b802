package io.lkfleet.ingest.event;

/**
 * Whether bytes are well-formed UTF-8 (Unicode's table 3-7: no overlong forms, no surrogates, nothing
 * above U+10FFFF), as the JDK's UTF-8 decoder with {@code REPORT} judges them, without decoding them: a
 * decoder per request was ~16 % of webhook-ingest's allocation, and the JSON reader decodes what it needs.
 */
final class StrictUtf8 {
    private StrictUtf8() {
    }

    static boolean isWellFormed(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int lead = bytes[i];
            if (lead >= 0) {
                i++;
                continue;
            }
            lead &= 0xFF;
            if (lead < 0xC2 || lead > 0xF4) {
                return false; // a continuation byte, an overlong two-byte form, or beyond U+10FFFF
            }
            int length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
            if (i + length > n) {
                return false;
            }
            // The second byte's range is what rules out overlong forms, surrogates and code points past U+10FFFF.
            int second = bytes[i + 1] & 0xFF;
            int low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
            int high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
            if (second < low || second > high) {
                return false;
            }
            for (int k = 2; k < length; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += length;
        }
        return true;
    }
}
