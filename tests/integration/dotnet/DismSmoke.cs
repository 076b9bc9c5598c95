// A .NET client of libDismApi, declared as ManagedDism (the .NET DISM
// wrapper) declares DISM's functions: DllImport("DismApi") with UTF-16
// strings, structures laid out Sequential with Pack = 4, and .NET's own
// event handle passed as CancelEvent to every call that reports progress.
// It runs ManagedDism's test scenarios against a WIM and checks each result:
//
//   mono DismSmoke.exe WIM MOUNT_DIR UNATTEND_XML LOG_FILE
//
// Exits 0 when every check passes, 1 otherwise (each failure on stderr).
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.Win32.SafeHandles;

internal static class NativeMethods
{
    private const string DismDllName = "DismApi";

    public const int S_OK = 0;
    public const int DismLogErrorsWarningsInfo = 2;
    public const int DismImageIndex = 0;
    public const uint DISM_MOUNT_READWRITE = 0;
    public const uint DISM_COMMIT_IMAGE = 0;
    public const int DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH = unchecked((int)0xC004000A);
    public const int ERROR_NOT_SUPPORTED_HRESULT = unchecked((int)0x80070032);
    public const int E_INVALIDARG = unchecked((int)0x80070057);

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    public delegate void DismProgressCallback(uint current, uint total, IntPtr userData);

    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode, Pack = 4)]
    public struct DismImageInfo
    {
        public int ImageType;
        public uint ImageIndex;
        public string ImageName;
        public string ImageDescription;
        public ulong ImageSize;
        public uint Architecture;
        public string ProductName;
        public string EditionId;
        public string InstallationType;
        public string Hal;
        public string ProductType;
        public string ProductSuite;
        public uint MajorVersion;
        public uint MinorVersion;
        public uint Build;
        public uint SpBuild;
        public uint SpLevel;
        public int Bootable;
        public string SystemRoot;
        public IntPtr Language;
        public uint LanguageCount;
        public uint DefaultLanguageIndex;
        public IntPtr CustomizedInfo;
    }

    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode, Pack = 4)]
    public struct DismMountedImageInfo
    {
        public string MountPath;
        public string ImageFilePath;
        public uint ImageIndex;
        public int MountMode;
        public int MountStatus;
    }

    [DllImport(DismDllName, CharSet = CharSet.Unicode)]
    public static extern int DismInitialize(int logLevel, string logFilePath, string scratchDirectory);

    [DllImport(DismDllName)]
    public static extern int DismShutdown();

    [DllImport(DismDllName, CharSet = CharSet.Unicode)]
    public static extern int DismGetImageInfo(string imageFilePath, out IntPtr imageInfo, out uint count);

    [DllImport(DismDllName, CharSet = CharSet.Unicode)]
    public static extern int DismMountImage(string imageFilePath, string mountPath, uint imageIndex,
        string imageName, int imageIdentifier, uint flags, SafeWaitHandle cancelEvent,
        DismProgressCallback progress, IntPtr userData);

    [DllImport(DismDllName)]
    public static extern int DismGetMountedImageInfo(out IntPtr mountedImageInfo, out uint count);

    [DllImport(DismDllName, CharSet = CharSet.Unicode)]
    public static extern int DismOpenSession(string imagePath, string windowsDirectory, string systemDrive,
        out uint session);

    [DllImport(DismDllName)]
    public static extern int DismCloseSession(uint session);

    [DllImport(DismDllName)]
    public static extern int DismCheckImageHealth(uint session, [MarshalAs(UnmanagedType.Bool)] bool scanImage,
        SafeWaitHandle cancelEvent, DismProgressCallback progress, IntPtr userData, out int imageHealth);

    [DllImport(DismDllName, CharSet = CharSet.Unicode)]
    public static extern int DismApplyUnattend(uint session, string unattendFile,
        [MarshalAs(UnmanagedType.Bool)] bool singleSession);

    [DllImport(DismDllName)]
    public static extern int DismCommitImage(uint session, uint flags, SafeWaitHandle cancelEvent,
        DismProgressCallback progress, IntPtr userData);

    [DllImport(DismDllName, CharSet = CharSet.Unicode)]
    public static extern int DismUnmountImage(string mountPath, uint flags, SafeWaitHandle cancelEvent,
        DismProgressCallback progress, IntPtr userData);

    [DllImport(DismDllName)]
    public static extern int DismGetLastErrorMessage(out IntPtr errorMessage);

    [DllImport(DismDllName)]
    public static extern int DismDelete(IntPtr dismStructure);

    [DllImport(DismDllName, CharSet = CharSet.Unicode)]
    public static extern int _DismSplitFfuImage(string imagePath, string partPath, ulong partSize);

    [DllImport(DismDllName, CharSet = CharSet.Unicode, EntryPoint = "_DismValidateProductKey")]
    public static extern int DismValidateProductKey(uint session, string productKey);

    [DllImport(DismDllName, EntryPoint = "_DismGetRegistryMountPoint")]
    public static extern int DismGetRegistryMountPoint(uint session, uint registryHive, out IntPtr mountPoint);
}

internal static class DismSmoke
{
    private static int _failures;
    private static int _progressCalls;

    private static void Check(bool ok, string what)
    {
        if (ok) return;
        _failures++;
        Console.Error.WriteLine("DismSmoke: FAILED: " + what);
    }

    private static string LastError()
    {
        IntPtr message;
        if (NativeMethods.DismGetLastErrorMessage(out message) != NativeMethods.S_OK) return "";
        string text = Marshal.PtrToStringUni(Marshal.ReadIntPtr(message));
        NativeMethods.DismDelete(message);
        return text;
    }

    private static void ExpectHr(int expected, int actual, string call)
    {
        if (expected == actual) return;
        _failures++;
        Console.Error.WriteLine(string.Format("DismSmoke: {0} returned 0x{1:X8}, expected 0x{2:X8}: {3}",
            call, actual, expected, LastError()));
    }

    private static void Progress(uint current, uint total, IntPtr userData)
    {
        Interlocked.Increment(ref _progressCalls);
    }

    private static int Main(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine("usage: DismSmoke.exe WIM MOUNT_DIR UNATTEND_XML LOG_FILE");
            return 2;
        }
        string wim = args[0], mountDir = args[1], unattend = args[2], log = args[3];
        Check(Marshal.SizeOf(typeof(NativeMethods.DismImageInfo)) == 140, "DismImageInfo is 140 bytes");
        Check(Marshal.SizeOf(typeof(NativeMethods.DismMountedImageInfo)) == 28, "DismMountedImageInfo is 28 bytes");

        // As ManagedDism: a delegate kept alive for the call, and .NET's own
        // manual-reset event as CancelEvent (a handle libDismApi did not make).
        var progress = new NativeMethods.DismProgressCallback(Progress);
        using (var cancel = new EventWaitHandle(false, EventResetMode.ManualReset))
        {
            ExpectHr(0, NativeMethods.DismInitialize(NativeMethods.DismLogErrorsWarningsInfo, log, null),
                "DismInitialize");

            IntPtr infoPtr;
            uint count;
            ExpectHr(0, NativeMethods.DismGetImageInfo(wim, out infoPtr, out count), "DismGetImageInfo");
            Check(count == 2, "the WIM has 2 images, not " + count);
            if (count > 0)
            {
                var info = (NativeMethods.DismImageInfo)Marshal.PtrToStructure(infoPtr, typeof(NativeMethods.DismImageInfo));
                Check(info.ImageName == "Test Image 1", "ImageName is '" + info.ImageName + "'");
                Check(info.ProductName == "Microsoft\u00ae Windows\u00ae Operating System",
                    "ProductName is '" + info.ProductName + "'");
                Check(info.EditionId == "WindowsPE", "EditionId is '" + info.EditionId + "'");
                Check(info.Architecture == 9, "Architecture is " + info.Architecture);
                Check(info.SystemRoot == "WINDOWS", "SystemRoot is '" + info.SystemRoot + "'");
                Check(info.MajorVersion == 6 && info.MinorVersion == 3 && info.Build == 9600, "version 6.3.9600");
                Check(info.LanguageCount == 1 &&
                      Marshal.PtrToStringUni(Marshal.ReadIntPtr(info.Language)) == "en-US", "language en-US");
                ExpectHr(0, NativeMethods.DismDelete(infoPtr), "DismDelete(image info)");
            }

            ExpectHr(0, NativeMethods.DismMountImage(wim, mountDir, 1, null, NativeMethods.DismImageIndex,
                NativeMethods.DISM_MOUNT_READWRITE, cancel.SafeWaitHandle, progress, IntPtr.Zero), "DismMountImage");
            Check(_progressCalls > 0, "the mount reported progress");

            IntPtr mountsPtr;
            ExpectHr(0, NativeMethods.DismGetMountedImageInfo(out mountsPtr, out count), "DismGetMountedImageInfo");
            var mounts = new List<string>();
            int size = Marshal.SizeOf(typeof(NativeMethods.DismMountedImageInfo));
            for (int i = 0; i < count; i++)
            {
                var mount = (NativeMethods.DismMountedImageInfo)Marshal.PtrToStructure(
                    new IntPtr(mountsPtr.ToInt64() + i * size), typeof(NativeMethods.DismMountedImageInfo));
                mounts.Add(mount.MountPath);
                Check(mount.ImageFilePath == wim, "ImageFilePath is '" + mount.ImageFilePath + "'");
            }
            Check(mounts.Contains(mountDir), "GetMountedImages lists " + mountDir);
            NativeMethods.DismDelete(mountsPtr);

            uint session;
            ExpectHr(0, NativeMethods.DismOpenSession(mountDir, null, null, out session), "DismOpenSession");
            int health;
            ExpectHr(0, NativeMethods.DismCheckImageHealth(session, false, cancel.SafeWaitHandle, progress,
                IntPtr.Zero, out health), "DismCheckImageHealth");
            Check(health == 0, "the image is healthy (DismImageHealthy)");
            ExpectHr(0, NativeMethods.DismApplyUnattend(session, unattend, false), "DismApplyUnattend");
            ExpectHr(0, NativeMethods.DismCommitImage(session, 0, cancel.SafeWaitHandle, progress, IntPtr.Zero),
                "DismCommitImage");

            IntPtr mountPoint;
            ExpectHr(NativeMethods.ERROR_NOT_SUPPORTED_HRESULT,
                NativeMethods.DismGetRegistryMountPoint(session, 0, out mountPoint), "_DismGetRegistryMountPoint");
            ExpectHr(NativeMethods.ERROR_NOT_SUPPORTED_HRESULT,
                NativeMethods.DismValidateProductKey(session, "XXXXX-XXXXX"), "_DismValidateProductKey");
            ExpectHr(NativeMethods.ERROR_NOT_SUPPORTED_HRESULT,
                NativeMethods._DismSplitFfuImage("a.ffu", "a.sfu", 100), "_DismSplitFfuImage");

            ExpectHr(NativeMethods.DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH,
                NativeMethods.DismUnmountImage(mountDir, NativeMethods.DISM_COMMIT_IMAGE, cancel.SafeWaitHandle,
                    progress, IntPtr.Zero), "DismUnmountImage with a session open");
            string refusal = LastError();
            Check(refusal.Contains("DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH"),
                "the refusal says why: '" + refusal + "'");

            // A lone surrogate is refused, naming the argument.
            ExpectHr(NativeMethods.E_INVALIDARG, NativeMethods.DismGetImageInfo("/tmp/\ud800.wim", out infoPtr, out count),
                "DismGetImageInfo(lone surrogate)");
            Check(LastError().Contains("ImageFilePath"), "the invalid argument is named");

            ExpectHr(0, NativeMethods.DismCloseSession(session), "DismCloseSession");
            ExpectHr(0, NativeMethods.DismUnmountImage(mountDir, NativeMethods.DISM_COMMIT_IMAGE, cancel.SafeWaitHandle,
                progress, IntPtr.Zero), "DismUnmountImage");
            Check(!Directory.Exists(mountDir), "the mount directory is gone");
            ExpectHr(0, NativeMethods.DismShutdown(), "DismShutdown");
        }
        GC.KeepAlive(progress);

        string logText = File.Exists(log) ? File.ReadAllText(log) : "";
        Check(logText.Contains("DISM   API: PID="), "the log has DISM's lines");
        Check(logText.Contains("Enter DismCommitImage"), "the log has the commit");

        if (_failures == 0) Console.WriteLine("DismSmoke: every check passed");
        return _failures == 0 ? 0 : 1;
    }
}
