package io.smarttag.hub.setup;

import com.aliyuncs.AcsRequest;
import com.aliyuncs.AcsResponse;
import com.aliyuncs.DefaultAcsClient;
import com.aliyuncs.IAcsClient;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.http.ProtocolType;
import com.aliyuncs.profile.DefaultProfile;
import com.aliyuncs.vod.model.v20170321.GetMessageCallbackRequest;
import com.aliyuncs.vod.model.v20170321.GetMessageCallbackResponse;
import com.aliyuncs.vod.model.v20170321.SetMessageCallbackRequest;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * VOD's event notification settings through its OpenAPI (version 2017-03-21, RPC style, signed
 * with HMAC-SHA1 by the official aliyun-java-sdk-core): GetMessageCallback and SetMessageCallback.
 * In a dry run nothing is sent: each request is printed instead, with the AuthKey and the
 * AccessKey id masked (the secret never reaches the request text at all).
 */
public final class VodNotifications {

    private final String region;
    private final String host;
    private final ProtocolType protocol;
    private final String appId;
    private final Credentials credentials;
    private final IAcsClient client;
    private final PrintStream dryRun;

    /**
     * @param endpoint null for vod.&lt;region&gt;.aliyuncs.com over HTTPS; else a URL or host:port
     *                 (http:// for a local fake)
     * @param dryRun   where to print the requests instead of sending them; null to send
     */
    public VodNotifications(String region, String endpoint, String appId, Credentials credentials, PrintStream dryRun) {
        this.region = region;
        this.appId = appId;
        this.credentials = credentials;
        this.dryRun = dryRun;
        String target = endpoint == null ? "vod." + region + ".aliyuncs.com" : endpoint;
        this.protocol = target.startsWith("http://") ? ProtocolType.HTTP : ProtocolType.HTTPS;
        this.host = target.replaceFirst("^https?://", "").replaceAll("/+$", "");
        if (dryRun == null) {
            DefaultProfile profile = credentials.securityToken() == null
                    ? DefaultProfile.getProfile(region, credentials.accessKeyId(), credentials.accessKeySecret())
                    : DefaultProfile.getProfile(region, credentials.accessKeyId(), credentials.accessKeySecret(),
                            credentials.securityToken());
            profile.getHttpClientConfig().setConnectionTimeoutMillis(10_000);
            profile.getHttpClientConfig().setReadTimeoutMillis(20_000);
            this.client = new DefaultAcsClient(profile);
        } else {
            this.client = null;
        }
    }

    public String endpoint() {
        return (protocol == ProtocolType.HTTP ? "http://" : "https://") + host + "/";
    }

    /** The current settings; in a dry run, none (nothing was read). */
    public NotificationSettings read() throws SetupException {
        GetMessageCallbackRequest request = new GetMessageCallbackRequest();
        request.setAppId(appId);
        GetMessageCallbackResponse response = send(request, "GetMessageCallback");
        if (response == null || response.getMessageCallback() == null) {
            return NotificationSettings.NONE;
        }
        GetMessageCallbackResponse.MessageCallback current = response.getMessageCallback();
        return new NotificationSettings(current.getCallbackType(), current.getCallbackURL(), current.getEventTypeList(),
                current.getAuthSwitch(), current.getAuthKey(), current.getMnsEndpoint(), current.getMnsQueueName());
    }

    public void write(NotificationSettings settings) throws SetupException {
        SetMessageCallbackRequest request = new SetMessageCallbackRequest();
        request.setAppId(appId);
        request.setCallbackType(settings.callbackType());
        request.setEventTypeList(settings.eventTypeList());
        if (settings.callbackUrl() != null) {
            request.setCallbackURL(settings.callbackUrl());
        }
        if (settings.authSwitch() != null) {
            request.setAuthSwitch(settings.authSwitch());
        }
        if (settings.authKey() != null) {
            request.setAuthKey(settings.authKey());
        }
        if (settings.mnsEndpoint() != null) {
            request.setMnsEndpoint(settings.mnsEndpoint());
        }
        if (settings.mnsQueueName() != null) {
            request.setMnsQueueName(settings.mnsQueueName());
        }
        send(request, "SetMessageCallback");
    }

    private <T extends AcsResponse> T send(AcsRequest<T> request, String action) throws SetupException {
        request.setSysEndpoint(host);
        request.setSysProtocol(protocol);
        if (dryRun != null) {
            print(request, action);
            return null;
        }
        try {
            return client.getAcsResponse(request);
        } catch (ClientException e) {
            throw new SetupException(OpenApiErrors.line("VOD", action, e.getErrCode(), e.getRequestId(), e.getErrMsg()));
        }
    }

    private void print(AcsRequest<?> request, String action) {
        Map<String, String> parameters = new TreeMap<>(request.getSysQueryParameters());
        parameters.putAll(request.getSysBodyParameters());
        parameters.remove("Action");
        parameters.remove("Version");
        parameters.remove("RegionId");
        if (parameters.containsKey("AuthKey")) {
            parameters.put("AuthKey", Masks.secret(parameters.get("AuthKey")));
        }
        StringBuilder line = new StringBuilder("dry run: POST ").append(endpoint()).append(" Action=").append(action)
                .append(" Version=2017-03-21 RegionId=").append(region)
                .append(" AccessKeyId=").append(Masks.accessKeyId(credentials.accessKeyId()));
        if (credentials.securityToken() != null) {
            line.append(" SecurityToken=").append(Masks.secret(credentials.securityToken()));
        }
        parameters.forEach((name, value) -> line.append(' ').append(name).append('=').append(value));
        line.append(" (signed HMAC-SHA1 with the AccessKey secret)");
        dryRun.println(line);
    }

    public void close() {
        if (client != null) {
            client.shutdown();
        }
    }
}
