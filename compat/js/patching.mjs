// The Azure SDK for JavaScript against `python -m azpatch_fake serve`, as a user's script
// would run it: ManagedIdentityCredential from IDENTITY_ENDPOINT and IDENTITY_HEADER, the
// emulator's URL as the endpoint, https with NODE_EXTRA_CA_CERTS. Prints one JSON object.
import { ComputeManagementClient } from "@azure/arm-compute";
import { FeatureClient } from "@azure/arm-features";
import { ResourceManagementClient } from "@azure/arm-resources";
import { ManagedIdentityCredential } from "@azure/identity";

const endpoint = process.env.AZPATCH_FAKE_URL;
const subscription = process.env.AZURE_SUBSCRIPTION_ID;
const credential = new ManagedIdentityCredential();
const options = { endpoint };
const compute = new ComputeManagementClient(credential, subscription, options);
const resources = new ResourceManagementClient(credential, subscription, options);
const features = new FeatureClient(credential, subscription, options);

const feature = await features.features.register("Microsoft.Compute", "InGuestPatchVMPreview");
const provider = await resources.providers.register("Microsoft.Compute");
await resources.resourceGroups.createOrUpdate("js", { location: "westeurope" });
const vm = await compute.virtualMachines.beginCreateOrUpdateAndWait("js", "web1", {
  location: "westeurope",
  hardwareProfile: { vmSize: "Standard_D2s_v5" },
  storageProfile: {
    imageReference: {
      publisher: "MicrosoftWindowsServer",
      offer: "WindowsServer",
      sku: "2022-datacenter-azure-edition",
      version: "latest",
    },
  },
  osProfile: {
    computerName: "web1",
    adminUsername: "azureuser",
    adminPassword: "Not-Echoed-1!",
    windowsConfiguration: {
      provisionVMAgent: true,
      enableAutomaticUpdates: true,
      patchSettings: { patchMode: "AutomaticByPlatform" },
    },
  },
});
const fetched = await compute.virtualMachines.get("js", "web1");
const view = await compute.virtualMachines.instanceView("js", "web1");
const listed = [];
for await (const each of compute.virtualMachines.list("js")) listed.push(each.name);
const assessment = await compute.virtualMachines.beginAssessPatchesAndWait("js", "web1");
const installation = await compute.virtualMachines.beginInstallPatchesAndWait("js", "web1", {
  maximumDuration: "PT4H",
  rebootSetting: "IfRequired",
  windowsParameters: { classificationsToInclude: ["Critical", "Security"] },
});
let refused = null;
try {
  // R6: Manual with enableAutomaticUpdates still true is refused, and nothing changes.
  await compute.virtualMachines.beginUpdateAndWait("js", "web1", {
    osProfile: { windowsConfiguration: { patchSettings: { patchMode: "Manual" } } },
  });
} catch (error) {
  refused = { status: error.statusCode, code: error.code };
}
const after = await compute.virtualMachines.get("js", "web1");
console.log(
  JSON.stringify({
    feature: feature.properties?.state,
    provider: provider.registrationState,
    created: vm.provisioningState,
    patchMode: fetched.osProfile?.windowsConfiguration?.patchSettings?.patchMode,
    password: fetched.osProfile?.adminPassword ?? null,
    agent: view.vmAgent?.vmAgentVersion,
    listed,
    assessment: [assessment.status, assessment.criticalAndSecurityPatchCount],
    installation: [installation.status, installation.installedPatchCount],
    refused,
    patchModeAfter: after.osProfile?.windowsConfiguration?.patchSettings?.patchMode,
  }),
);
