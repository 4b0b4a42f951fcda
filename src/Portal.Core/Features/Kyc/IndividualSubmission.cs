namespace Portal.Core.Features.Kyc;

/// <summary>
/// A person's real-name verification request. HasFront / HasBack say whether both sides of the
/// ID card were uploaded (and accepted by <see cref="DocumentSniffer"/>).
/// </summary>
public sealed record IndividualSubmission(string RealName, string IdNumber, bool HasFront, bool HasBack);
