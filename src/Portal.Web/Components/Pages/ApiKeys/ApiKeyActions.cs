using Microsoft.Extensions.Localization;
using MudBlazor;
using Portal.Core.Common;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Localization;

namespace Portal.Web.Components.Pages.ApiKeys;

/// <summary>Disable / enable / revoke with a confirmation, shared by the list and the detail page.</summary>
public sealed class ApiKeyActions(
    DisableApiKey.Handler disable,
    EnableApiKey.Handler enable,
    RevokeApiKey.Handler revoke,
    IDialogService dialogs,
    ISnackbar snackbar,
    IStringLocalizer<SharedResource> l)
{
    /// <summary>True when the status changed.</summary>
    public async Task<bool> DisableAsync(ApiKeyRow key)
    {
        var confirmed = await dialogs.ShowMessageBoxAsync(l["Disable key"],
            string.Format(l["Disable {0} ({1})? Requests with it are refused within seconds until you enable it again."], key.Name, key.Prefix),
            yesText: l["Disable"], cancelText: l["Cancel"]);
        return confirmed == true && Show(await disable.HandleAsync(new DisableApiKey.Command(key.Id)), l["Key disabled."]);
    }

    public async Task<bool> EnableAsync(ApiKeyRow key)
    {
        var confirmed = await dialogs.ShowMessageBoxAsync(l["Enable key"],
            string.Format(l["Enable {0} ({1}) again?"], key.Name, key.Prefix), yesText: l["Enable"], cancelText: l["Cancel"]);
        return confirmed == true && Show(await enable.HandleAsync(new EnableApiKey.Command(key.Id)), l["Key enabled."]);
    }

    public async Task<bool> RevokeAsync(ApiKeyRow key)
    {
        var confirmed = await dialogs.ShowMessageBoxAsync(l["Revoke key"],
            string.Format(l["Revoke {0} ({1})? This is final: the key stops working within seconds and can never be used or enabled again."], key.Name, key.Prefix),
            yesText: l["Revoke key"], cancelText: l["Cancel"]);
        return confirmed == true && Show(await revoke.HandleAsync(new RevokeApiKey.Command(key.Id)), l["Key revoked."]);
    }

    private bool Show(Result<Unit> result, string success)
    {
        if (result.IsSuccess) snackbar.Add(success, Severity.Success);
        else snackbar.Add(l[result.Error.Message], Severity.Error);
        return result.IsSuccess;
    }
}
