using Portal.Core.Common;

namespace Portal.Core.Features.Kyc;

/// <summary>Business failures of the verification use cases.</summary>
public static class KycErrors
{
    public static readonly Error AlreadyDecided = new("Kyc.AlreadyDecided", "This submission was already decided, possibly by another operator. Reload to see the decision.");
    public static readonly Error NotApproved = new("Kyc.NotApproved", "Only an approved verification can be revoked.");
    public static readonly Error AlreadySubmitted = new("Kyc.AlreadySubmitted", "Your verification is waiting for review. You can change it after the decision.");
    public static readonly Error AlreadyApproved = new("Kyc.AlreadyApproved", "Your real-name verification is already approved.");
    public static readonly Error CreditCodeTaken = new("Kyc.CreditCodeTaken", "This company is already verified on another Portal account. A company can be verified for one account only; contact support if this is wrong.");
    public static readonly Error IdNumberTaken = new("Kyc.IdNumberTaken", "This resident ID number is already verified on another Portal account. A person can be verified for one account only; contact support if this is wrong.");
    public static readonly Error DocumentMissing = new("Kyc.DocumentMissing", "An uploaded document could not be found. Upload it again.");
    public static readonly Error ChangedMeanwhile = new("Kyc.ChangedMeanwhile", "The verification was changed at the same time by someone else. Reload and try again.");
    public static readonly Error OperatorsOnly = Error.Forbidden("Only platform administrators can decide verifications.");
}
