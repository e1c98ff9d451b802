package io.lkfleet.token.rest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The network a client calls from, coarse enough to group clients that share a path to a region
 * (IPv4 /24, IPv6 /48) and never a full address: the router learns RTTs per network.
 */
final class ClientNetwork {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

    private ClientNetwork() {
    }

    /**
     * The network of the client's address as Quarkus resolved it: the peer, or what a configured
     * trusted proxy forwarded (see {@link TrustedProxies}); never a header any caller can set.
     */
    static String of(String address) {
        // literal addresses only: InetAddress would resolve a name through DNS
        if (address == null || !(IPV4.matcher(address).matches() || IPV6.matcher(address).matches())) {
            return null;
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            int keep = bytes.length == 4 ? 3 : 6;
            for (int i = keep; i < bytes.length; i++) {
                bytes[i] = 0;
            }
            return InetAddress.getByAddress(bytes).getHostAddress() + (bytes.length == 4 ? "/24" : "/48");
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
