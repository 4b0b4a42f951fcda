using System.Buffers;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Portal.Relay.Errors;

namespace Portal.Relay.Endpoints;

/// <summary>Small HTTP helpers shared by the relay's endpoints.</summary>
internal static class RelayHttp
{
    public const string RequestIdHeader = "x-request-id";

    /// <summary><c>req_</c> + 32 hex characters of a version 7 GUID: unique, time-ordered, shown to the client and stored.</summary>
    public static string NewRequestId() => string.Create(36, Guid.CreateVersion7(), static (chars, id) =>
    {
        "req_".AsSpan().CopyTo(chars);
        id.TryFormat(chars[4..], out _, "N");
    });

    public static async Task WriteErrorAsync(HttpContext context, OpenAiErrorResponse error)
    {
        var response = context.Response;
        if (response.HasStarted) return;
        response.StatusCode = error.StatusCode;
        if (error.RetryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.ContentType = "application/json";
        var bytes = error.ToJsonBytes();
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>The client's address as stored on usage records (IPv4-mapped IPv6 shown as IPv4).</summary>
    public static string ClientIp(IPAddress? address) =>
        address is null ? "" : address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();

    /// <summary>
    /// Reads the request body into a pooled array, refusing more than <paramref name="maxBytes"/> (413) without reading
    /// past the limit. The caller returns <see cref="BodyRead.Buffer"/> to <see cref="ArrayPool{T}.Shared"/>.
    /// </summary>
    public static async Task<BodyRead> ReadBodyAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength is { } declared && declared > maxBytes) return BodyRead.TooLarge;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit && (limit.MaxRequestBodySize is null || limit.MaxRequestBodySize < maxBytes))
            limit.MaxRequestBodySize = maxBytes + 1;

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1, request.ContentLength is { } known ? known + 1 : 16 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes) break;
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
                if (read == 0) break;
                length += read;
                if (length > maxBytes) break;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            length = (int)Math.Min(int.MaxValue, maxBytes + 1);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (length > maxBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return BodyRead.TooLarge;
        }

        return new BodyRead(buffer, length);
    }
}

internal readonly record struct BodyRead(byte[]? Buffer, int Length)
{
    public static BodyRead TooLarge => default;

    public bool IsTooLarge => Buffer is null;

    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);
}
