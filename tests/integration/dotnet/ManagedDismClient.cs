// Our own program over ManagedDism's public API (Microsoft.Dism.dll, built
// from its sources by managed_dism_test.sh when MANAGEDDISM_SRC names them):
// the scenarios of ManagedDism's own tests, through its classes and its
// native declarations, against libDismApi. Each step prints "PASS <step>" or
// "FAIL <step>: <why>"; the exit code is the number of failures.
//
//   mono ManagedDismClient.exe WIM MOUNT_DIR UNATTEND_XML LOG_FILE
using System;
using System.IO;
using System.Linq;
using Microsoft.Dism;

internal static class ManagedDismClient
{
    private static int _failures;

    private static void Step(string name, Action body)
    {
        try
        {
            body();
            Console.WriteLine("PASS " + name);
        }
        catch (Exception e)
        {
            _failures++;
            Console.WriteLine("FAIL " + name + ": " + e.GetType().Name + ": " + e.Message);
        }
    }

    private static void Expect(bool ok, string what)
    {
        if (!ok) throw new Exception(what);
    }

    // `body` throws a DismException with `code` and a message saying why.
    private static void ExpectDismError(uint code, Action body)
    {
        try
        {
            body();
        }
        catch (DismException e)
        {
            Expect((uint)e.ErrorCode == code, string.Format("0x{0:X8}: {1}", e.ErrorCode, e.Message));
            Expect(e.Message.Length > 0, "no message");
            return;
        }
        throw new Exception("no DismException");
    }

    private static int Main(string[] args)
    {
        string wim = args[0], mountDir = args[1], unattend = args[2], log = args[3];
        int progressCalls = 0;
        DismProgressCallback progress = p => progressCalls++;

        Step("Initialize with a log file", () => DismApi.Initialize(DismLogLevel.LogErrorsWarningsInfo, log));
        Step("GetImageInfo", () =>
        {
            DismImageInfoCollection images = DismApi.GetImageInfo(wim);
            Expect(images.Count == 2, "2 images, not " + images.Count);
            DismImageInfo first = images[0];
            Expect(first.ImageName == "Test Image 1", "ImageName " + first.ImageName);
            Expect(first.ProductName == "Microsoft\u00ae Windows\u00ae Operating System", "ProductName " + first.ProductName);
            Expect(first.Architecture == DismProcessorArchitecture.AMD64, "Architecture " + first.Architecture);
            Expect(first.EditionId == "WindowsPE", "EditionId " + first.EditionId);
            Expect(first.ProductVersion == new Version(6, 3, 9600, 16384), "ProductVersion " + first.ProductVersion);
            Expect(first.SystemRoot == "WINDOWS", "SystemRoot " + first.SystemRoot);
        });
        Step("MountImage with progress (ManagedDism's own cancel handle)", () =>
        {
            DismApi.MountImage(wim, mountDir, 1, false, progress);
            Expect(progressCalls > 0, "no progress reported");
        });
        Step("GetMountedImages", () =>
        {
            Expect(DismApi.GetMountedImages().Any(m => m.MountPath == mountDir), "the mount is not listed");
        });
        DismSession session = null;
        Step("OpenOfflineSession", () => session = DismApi.OpenOfflineSession(mountDir));
        Step("CheckImageHealth", () =>
            Expect(DismApi.CheckImageHealth(session, false, progress) == DismImageHealthState.Healthy, "not healthy"));
        Step("ApplyUnattend", () => DismApi.ApplyUnattend(session, unattend, false));
        Step("CommitImage", () => DismApi.CommitImage(session, false, progress));
        Step("GetPackages: a DismException with ERROR_NOT_SUPPORTED", () =>
            ExpectDismError(0x80070032, () => DismApi.GetPackages(session)));
        Step("GetDrivers: the image has no SYSTEM hive, a DismException with ERROR_NOT_FOUND", () =>
            ExpectDismError(0x80070490, () => DismApi.GetDrivers(session, false)));
        Step("OpenOnlineSession: refused (no running Windows)", () =>
            ExpectDismError(0x80070032, () => DismApi.OpenOnlineSession()));
        Step("UnmountImage refused while a session is open", () =>
        {
            try
            {
                DismApi.UnmountImage(mountDir, true);
            }
            catch (DismException e)
            {
                Expect((uint)e.ErrorCode == 0xC004000A, string.Format("0x{0:X8}", e.ErrorCode));
                Expect(e.Message.Contains("session"), "message: " + e.Message);
                return;
            }
            throw new Exception("the unmount was not refused");
        });
        Step("CloseSession", () => session.Close());
        Step("UnmountImage with commit", () =>
        {
            DismApi.UnmountImage(mountDir, true, progress);
            Expect(!Directory.Exists(mountDir), "the mount directory is still there");
        });
        Step("Shutdown", () => DismApi.Shutdown());
        Step("the log file", () =>
            Expect(File.ReadAllText(log).Contains("DISM   API: PID="), "no DISM-format line"));
        return _failures;
    }
}
