using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.DataRights;
using Portal.Core.Features.DataProtection;
using Portal.Core.Features.Demo;
using Portal.Core.Features.Discounts;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.Core.Features.Payments.Refunds;
using Portal.Core.Features.Plans;
using Portal.Core.Features.Sla;
using Portal.Core.Features.Settings;
using Portal.Core.Features.Status;
using Portal.Core.Features.Support;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.Relay;
using Portal.Relay.Keys;
using Portal.Relay.Tokenize;
using Portal.Web.Endpoints;
using Portal.Web.Hosting;

if (args.FirstOrDefault() == HealthProbe.Verb)
{
    Environment.ExitCode = await HealthProbe.RunAsync(args);
    return;
}

var builder = WebApplication.CreateBuilder(args);
// Several singletons (relay endpoints, the settings store) take the scoped DbContext factory from the root provider, as
// they do under test and in Production; Development's scope validation would refuse to start. Known gap: give them scopes.
builder.Host.UseDefaultServiceProvider(o => o.ValidateScopes = false);

builder.Services.AddPortalData(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddFileStorage(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddAccounts(builder.Configuration);
builder.Services.AddAudit();
builder.Services.AddNotifications(builder.Configuration);
builder.Services.AddTenants();
builder.Services.AddKyc();
builder.Services.AddWallet();
builder.Services.AddUsage();
builder.Services.AddCatalog();
builder.Services.AddDataProtectionPolicies();
builder.Services.AddApiKeys();
builder.Services.AddRelayApiKeyRules();
builder.Services.AddRelay(builder.Configuration);
builder.Services.AddRelayTokenize(builder.Configuration);
builder.Services.AddPayments(builder.Configuration);
builder.Services.AddBankTransfers(builder.Configuration);
builder.Services.AddRefunds();
builder.Services.AddPlans();
builder.Services.AddInvoices(builder.Configuration);
builder.Services.AddPlatformSettings(builder.Configuration);
builder.Services.AddDemo(builder.Configuration);
builder.Services.AddStatus();
builder.Services.AddSupport();
builder.Services.AddDataRights(builder.Configuration);
builder.Services.AddSla();
builder.Services.AddDiscounts();
builder.AddPortalWeb();
builder.AddPortalJobs();
builder.AddPortalObservability();

var app = builder.Build();

if (await PortalCommands.TryRunAsync(app, args)) return;
await app.PreparePortalAsync();

app.UsePortalWeb();
app.MapPortalHealth();
app.MapCulture();
app.MapAccountEndpoints();
app.MapMembersApi();
app.MapDataPolicyApi();
app.MapKycApi();
app.MapRelay();
app.MapRelayTokenize();
app.MapPaymentsEndpoints();
app.MapWalletApi();
app.MapBankTransferApi();
app.MapRefundApi();
app.MapApiKeysApi();
app.MapPlansApi();
app.MapUsageApi();
app.MapInvoicesApi();
app.MapStatusApi();
app.MapSupportApi();
app.MapDataRightsApi();
app.MapAlipaySimulator();
app.MapWechatPaySimulator();
app.MapPortalJobsDashboard();
app.MapPortalPages();

app.Run();

/// <summary>Entry point; public so that tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
