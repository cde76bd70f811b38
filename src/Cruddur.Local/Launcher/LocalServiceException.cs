namespace Cruddur.Local.Launcher;

/// <summary>A local service could not be started; the message says what to install or fix.</summary>
public sealed class LocalServiceException : Exception
{
    /// <summary>Creates the exception with a message for the person running the command.</summary>
    public LocalServiceException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LocalServiceException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message.</summary>
    public LocalServiceException()
    {
    }
}
