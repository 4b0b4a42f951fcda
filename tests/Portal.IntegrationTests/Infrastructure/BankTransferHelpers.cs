using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Features.Payments.BankTransfer;

namespace Portal.IntegrationTests.Infrastructure;

public sealed record Transfer(Guid Id, string RemittanceCode, string Amount, BankTransferStatus Status, DateTimeOffset ExpiresAt, string? ReceivedAmount, string? RejectionReason, ReceivingAccount Account);

/// <summary>Arranges transfer top-ups through the tenant API and the finance use cases.</summary>
public static class BankTransferHelpers
{
    public static async Task<Transfer> StartTransferAsync(this PortalClient client, string amount)
    {
        var response = await client.PostJsonAsync("/api/tenant/bank-transfers", new { amount });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"transfer: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Transfer>(response.Content, PortalClient.Json))!;
    }

    public static Task<Transfer> TransferAsync(this PortalClient client, Guid id) => client.GetJsonAsync<Transfer>($"/api/tenant/bank-transfers/{id}");

    public static async Task<Result<BankTransferView>> ConfirmTransferAsync(this PortalFactory factory, Guid transferId, string received, string reference, bool acceptDifferent = false)
    {
        Assert.True(Money.TryParseYuan(received, out var amount));
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<ConfirmBankTransfer.Handler>()
            .HandleAsync(new ConfirmBankTransfer.Command(transferId, amount, reference, acceptDifferent));
    }

    public static async Task<Result<BankTransferView>> RejectTransferAsync(this PortalFactory factory, Guid transferId, string reason)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<RejectBankTransfer.Handler>().HandleAsync(new RejectBankTransfer.Command(transferId, reason));
    }
}
