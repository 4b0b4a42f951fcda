using Portal.Core.Common;

namespace Portal.Core.Features.Catalog;

public static class CatalogErrors
{
    public static readonly Error AdminsOnly = Error.Forbidden("Only platform administrators can change models and channels.");
    public static readonly Error ModelNotFound = Error.NotFound("Model");
    public static readonly Error ChannelNotFound = Error.NotFound("Channel");
}
