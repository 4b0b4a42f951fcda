using System.Net;

namespace Portal.IntegrationTests.Infrastructure;

public static class MemberHelpers
{
    /// <summary>Invites a new person with <paramref name="role"/> into the owner's tenant through the real invitation flow.</summary>
    public static async Task<PortalClient> InviteMemberAsync(this PortalFactory factory, PortalClient owner, string role)
    {
        var email = PortalClient.NewEmail(role.ToLowerInvariant());
        var invite = await owner.PostJsonAsync("/api/tenant/invitations", new { email, role });
        Assert.Equal(HttpStatusCode.Created, invite.StatusCode);
        var invitee = PortalClient.As(factory, email, "Member-Pass-123");
        var link = await invitee.LatestLinkAsync("Invitation");
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        var register = await invitee.PostFormAsync($"/Account/Register?invite={Uri.EscapeDataString(token)}", "register", new()
        {
            ["Input.Email"] = email,
            ["Input.DisplayName"] = role,
            ["Input.Password"] = invitee.Password,
            ["Input.Invite"] = token,
        });
        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);
        var accept = await invitee.PostFormAsync($"/invitations/accept?token={Uri.EscapeDataString(token)}", "accept-invitation", new() { ["Input.Token"] = token });
        Assert.Equal(HttpStatusCode.Redirect, accept.StatusCode);
        return invitee;
    }
}
