using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using Portal.Core.Localization;

namespace Portal.Core.Features.Accounts;

/// <summary>Identity's messages in the UI language.</summary>
public sealed class LocalizedIdentityErrorDescriber(IStringLocalizer<SharedResource> l) : IdentityErrorDescriber
{
    public override IdentityError DuplicateEmail(string email) => E(nameof(DuplicateEmail), l["An account with this email address already exists."]);

    public override IdentityError DuplicateUserName(string userName) => E(nameof(DuplicateUserName), l["An account with this email address already exists."]);

    public override IdentityError InvalidEmail(string? email) => E(nameof(InvalidEmail), l["Enter a valid email address."]);

    public override IdentityError InvalidUserName(string? userName) => E(nameof(InvalidUserName), l["Enter a valid email address."]);

    public override IdentityError InvalidToken() => E(nameof(InvalidToken), l["This link is invalid or has expired."]);

    public override IdentityError PasswordMismatch() => E(nameof(PasswordMismatch), l["Incorrect password."]);

    public override IdentityError PasswordTooShort(int length) => E(nameof(PasswordTooShort), string.Format(l["Passwords must be at least {0} characters."], length));

    public override IdentityError PasswordRequiresDigit() => E(nameof(PasswordRequiresDigit), l["Passwords must contain a digit (0-9)."]);

    public override IdentityError PasswordRequiresLower() => E(nameof(PasswordRequiresLower), l["Passwords must contain a lowercase letter (a-z)."]);

    public override IdentityError PasswordRequiresUpper() => E(nameof(PasswordRequiresUpper), l["Passwords must contain an uppercase letter (A-Z)."]);

    public override IdentityError PasswordRequiresNonAlphanumeric() => E(nameof(PasswordRequiresNonAlphanumeric), l["Passwords must contain a symbol."]);

    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) => E(nameof(PasswordRequiresUniqueChars), string.Format(l["Passwords must use at least {0} different characters."], uniqueChars));

    public override IdentityError RecoveryCodeRedemptionFailed() => E(nameof(RecoveryCodeRedemptionFailed), l["That recovery code is not valid."]);

    private static IdentityError E(string code, string description) => new() { Code = code, Description = description };
}
