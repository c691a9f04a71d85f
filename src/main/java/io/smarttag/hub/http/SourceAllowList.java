package io.smarttag.hub.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks callbacks may come from ({@code hub.callback.allowed-cidrs}): a comma list of IPv4
 * and IPv6 CIDRs (a bare address is a /32 or /128). Empty allows every address. Only the TCP peer
 * address is checked; X-Forwarded-For and similar headers are never trusted, since any client can
 * send them.
 */
public final class SourceAllowList {

    private record Network(byte[] prefix, int bits, String text) {
        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (prefix[full] & mask);
        }
    }

    private final List<Network> networks;

    private SourceAllowList(List<Network> networks) {
        this.networks = networks;
    }

    /** Parses the comma list; a malformed entry fails the start with a clear message. */
    public static SourceAllowList parse(String list) {
        List<Network> networks = new ArrayList<>();
        for (String entry : list == null ? new String[0] : list.split(",")) {
            String cidr = entry.trim();
            if (cidr.isEmpty()) {
                continue;
            }
            int slash = cidr.indexOf('/');
            String host = slash < 0 ? cidr : cidr.substring(0, slash);
            byte[] address = literal(host);
            if (address == null) {
                throw new IllegalArgumentException("hub.callback.allowed-cidrs: '" + cidr + "' is not an IP address or CIDR");
            }
            int bits = address.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(cidr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException("hub.callback.allowed-cidrs: bad prefix length in '" + cidr + "'");
                }
            }
            networks.add(new Network(address, bits, cidr));
        }
        return new SourceAllowList(List.copyOf(networks));
    }

    /** True when no list is configured. */
    public boolean allowsAll() {
        return networks.isEmpty();
    }

    /** Whether the peer address (an IP literal, as Vert.x reports it) is allowed. */
    public boolean allows(String peerAddress) {
        if (networks.isEmpty()) {
            return true;
        }
        byte[] address = literal(peerAddress);
        if (address == null) {
            return false;
        }
        for (Network network : networks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The bytes of an IPv4 or IPv6 literal, null for anything else (never a DNS lookup). An
     * IPv4-mapped IPv6 address (::ffff:a.b.c.d) comes back as the IPv4 address.
     */
    private static byte[] literal(String text) {
        if (text == null) {
            return null;
        }
        String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        int scope = host.indexOf('%');
        if (scope >= 0) {
            host = host.substring(0, scope);
        }
        boolean v4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = host.contains(":") && host.matches("[0-9a-fA-F:.]+");
        if (v4) {
            String[] parts = host.split("\\.");
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            return bytes;
        }
        if (!v6) {
            return null;
        }
        try {
            return InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return networks.isEmpty() ? "(all)" : String.join(",", networks.stream().map(Network::text).toList());
    }
}
