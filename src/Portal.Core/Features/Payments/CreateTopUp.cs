using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.WechatPay;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments;

/// <summary>
/// A tenant starts a top-up: Alipay PC cashier (the browser then opens <c>/payments/alipay/pay/{id}</c>) or QR
/// code (precreated here), or WeChat Pay Native (code_url, drawn as a QR code) or H5 (h5_url, for mobile browsers). Owners, Admins and Finance; refused until the tenant's real-name verification is approved.
/// </summary>
public static class CreateTopUp
{
    /// <param name="Amount">What to top up (whole fen).</param>
    /// <param name="Channel">The rail and way of paying.</param>
    /// <param name="ClientIp">The buyer's address, which WeChat Pay H5 requires (scene_info.payer_client_ip).</param>
    public sealed record Command(Money Amount, PaymentChannel Channel, string? ClientIp = null);

    public sealed record Started(Guid OrderId, string OrderNo, Money Amount, PaymentChannel Channel, DateTimeOffset ExpiresAt, string? QrCode);

    public static readonly TenantRole[] PayingRoles = [TenantRole.Owner, TenantRole.Admin, TenantRole.Finance];

    public static readonly Error AlipayUnavailable = new("Payments.AlipayUnavailable", "Alipay could not be reached. Please try again in a moment.");

    public static readonly Error WechatUnavailable = new("Payments.WechatUnavailable", "WeChat Pay could not be reached. Please try again in a moment.");

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l, IOptionsMonitor<PaymentsOptions> options)
        {
            // Read per check: the settings page can change the limits while the app runs.
            RuleFor(c => c.Amount).Cascade(CascadeMode.Stop)
                .Must(a => a.IsWholeFen).WithMessage(l["Enter an amount in yuan with at most two decimals."])
                .Must(a => a >= options.CurrentValue.MinimumTopUp && a <= options.CurrentValue.MaximumTopUp)
                .WithMessage(_ => string.Format(l["Top-ups must be between {0} and {1}."], options.CurrentValue.MinimumTopUp.ToDisplay(), options.CurrentValue.MaximumTopUp.ToDisplay()));
            RuleFor(c => c.Channel).IsInEnum();
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        TenantAccess access,
        IKycGate kyc,
        IValidator<Command> validator,
        AlipayClient alipay,
        WechatPayClient wechat,
        IOptions<WechatPayOptions> wechatOptions,
        AuditLog audit,
        IOptionsMonitor<PaymentsOptions> options,
        IOptions<PortalOptions> portal,
        TimeProvider clock)
    {
        /// <summary>Null when the caller may top up now; otherwise why not (role or real-name verification).</summary>
        public async Task<Error?> CheckAllowedAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, PayingRoles);
            if (!member.IsSuccess) return member.Error;
            return await kyc.CheckAsync(member.Value!.TenantId, cancellationToken);
        }

        public async Task<Result<Started>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, PayingRoles);
            if (!member.IsSuccess) return member.Error!;
            if (await kyc.CheckAsync(member.Value!.TenantId, cancellationToken) is { } notVerified) return notVerified;

            var now = clock.GetUtcNow();
            var order = new TopUpOrder
            {
                Id = Ids.New(),
                TenantId = member.Value.TenantId,
                OrderNo = OrderNumbers.NewTopUp(clock),
                AmountMicroYuan = command.Amount.MicroYuan,
                Channel = command.Channel,
                Status = TopUpStatus.Pending,
                Subject = $"Portal 账户充值 {command.Amount.ToDisplay()}",
                CreatedByUserId = member.Value.UserId,
                CreatedAt = now,
                ExpiresAt = now + options.CurrentValue.OrderExpiry,
            };
            db.TopUpOrders.Add(order);
            audit.Add(db, "payments.top_up_started", nameof(TopUpOrder), order.Id, LocalizedText.Encode("{0} {1} by {2}", order.OrderNo, command.Amount.ToDisplay(), LocalizedText.Term(command.Channel)), order.TenantId);
            await db.SaveChangesAsync(cancellationToken);

            if (command.Channel is PaymentChannel.AlipayQr or PaymentChannel.WechatNative or PaymentChannel.WechatH5)
            {
                var link = await StartAtRailAsync(order, command, alipay, wechat, NotifyUrl(portal.Value), wechatOptions.Value.ResolveNotifyUrl(portal.Value), cancellationToken);
                if (!link.IsSuccess)
                {
                    // Nobody has the QR code, so nobody can pay this order: cancel it rather than leave it hanging.
                    await db.TopUpOrders.Where(o => o.Id == order.Id && o.Status == TopUpStatus.Pending)
                        .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, TopUpStatus.Cancelled).SetProperty(o => o.ClosedAt, clock.GetUtcNow()), cancellationToken);
                    return link.Error!;
                }

                order.QrCode = link.Value;
                await db.TopUpOrders.Where(o => o.Id == order.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.QrCode, order.QrCode), cancellationToken);
            }

            return new Started(order.Id, order.OrderNo, order.Amount, order.Channel, order.ExpiresAt, order.QrCode);
        }
    }

    /// <summary>Creates the order at its rail and returns what the buyer opens: QR content, code_url or h5_url.</summary>
    private static async Task<Result<string>> StartAtRailAsync(TopUpOrder order, Command command, AlipayClient alipay, WechatPayClient wechat, string alipayNotifyUrl, string wechatNotifyUrl, CancellationToken cancellationToken)
    {
        if (command.Channel == PaymentChannel.AlipayQr)
        {
            var precreate = await alipay.PrecreateAsync(new AlipayPrecreateRequest(order.OrderNo, order.AmountMicroYuan, order.Subject, alipayNotifyUrl, order.ExpiresAt), cancellationToken);
            if (precreate.IsSuccess) return precreate.Value!.QrCode;
            return precreate.Error!.Code == AlipayErrors.UnavailableCode ? AlipayUnavailable : new Error("Payments.AlipayRefused", precreate.Error.Message);
        }

        var request = new WechatPayOrderRequest(order.OrderNo, order.AmountMicroYuan, order.Subject, wechatNotifyUrl, order.ExpiresAt, command.ClientIp);
        var started = command.Channel == PaymentChannel.WechatH5 ? await wechat.H5Async(request, cancellationToken) : await wechat.NativeAsync(request, cancellationToken);
        if (started.IsSuccess) return started.Value!;
        return started.Error!.Code is WechatPayErrors.UnavailableCode or WechatPayErrors.InvalidSignatureCode ? WechatUnavailable : new Error("Payments.WechatRefused", started.Error.Message);
    }

    public static string NotifyUrl(PortalOptions portal) => portal.Link("payments/alipay/notify");

    public static string ReturnUrl(PortalOptions portal) => portal.Link("wallet/return");
}
