/**
 * The overview's part of the JupyterLab plugin: the commands (open the overview, open a domain's
 * report), the command-palette entries, the launcher card, and the main-area tabs.
 */
import type { ILabShell, JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import type { ILauncher } from '@jupyterlab/launcher';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { LabIcon } from '@jupyterlab/ui-components';
import type { IsolationModel } from '../model';
import { DomainReportWidget } from './DomainReport';
import { DomainReportModel, OverviewModel } from './OverviewModel';
import { OverviewWidget } from './OverviewWidget';

/** Command ids of the overview. */
export namespace OverviewCommandIDs {
  export const open = 'sagemaker-isolation:open-overview';
  export const openDomain = 'sagemaker-isolation:open-domain-report';
}

/** Id of the overview's main-area tab. */
export const OVERVIEW_ID = 'jp-SMIso-overview';

/**
 * Register the overview's commands, palette entries and launcher card.
 *
 * @param options.panelModel - the sidebar's model (the report view's coverage and admin parts).
 * @returns the overview's model (the sidebar card renders it).
 */
export function setupOverview(
  app: JupyterFrontEnd,
  options: {
    labShell: ILabShell;
    trans: TranslationBundle;
    icon: LabIcon;
    panelModel: IsolationModel;
    palette: ICommandPalette | null;
    launcher: ILauncher | null;
  }
): OverviewModel {
  const { labShell, trans, icon } = options;
  const model = new OverviewModel({
    serverSettings: app.serviceManager.serverSettings
  });
  let overview: MainAreaWidget<OverviewWidget> | null = null;
  const tabs = new Map<string, MainAreaWidget<DomainReportWidget>>();

  app.commands.addCommand(OverviewCommandIDs.open, {
    label: args =>
      args['isLauncher']
        ? trans.__('Isolation Overview')
        : trans.__('Open SageMaker Isolation Overview'),
    caption: trans.__(
      'Every SageMaker domain at a glance: who can act on whose resources'
    ),
    icon,
    isEnabled: () => model.state.route !== 'unavailable',
    execute: () => {
      if (!overview || overview.isDisposed) {
        const content = new OverviewWidget(model, trans, arn =>
          app.commands.execute(OverviewCommandIDs.openDomain, { arn })
        );
        overview = new MainAreaWidget({ content });
        overview.id = OVERVIEW_ID;
        overview.title.label = trans.__('Isolation overview');
        overview.title.icon = icon;
        overview.title.closable = true;
        labShell.add(overview, 'main');
        // Shows the last job, or starts one when the server has none.
        void model.initialize(true);
      }
      labShell.activateById(overview.id);
    }
  });

  app.commands.addCommand(OverviewCommandIDs.openDomain, {
    label: args => {
      const d = model.domain(String(args['arn'] ?? ''));
      return trans.__('Open the Report of Domain %1', d ? d.name || d.id : '');
    },
    execute: args => {
      const arn = String(args['arn'] ?? '');
      const domain = model.domain(arn);
      if (!domain) {
        return;
      }
      let tab = tabs.get(arn);
      if (tab && !tab.isDisposed && tab.content.domain !== domain) {
        // A newer overview: the tab shows the domain as that one checked it.
        tab.dispose();
      }
      if (!tab || tab.isDisposed) {
        // The domain's full report, as the overview checked it.
        const report = new DomainReportModel(model.client, domain);
        void report.load();
        tab = new MainAreaWidget({
          content: new DomainReportWidget(report, options.panelModel, trans)
        });
        tab.id = `jp-SMIso-domain-${domain.account_id}-${domain.region}-${domain.id}`;
        tab.title.label = domain.name || domain.id;
        tab.title.caption = trans.__(
          'Isolation report of %1 (%2, %3)',
          domain.name || domain.id,
          domain.region,
          domain.account_id
        );
        tab.title.icon = icon;
        tab.title.closable = true;
        tabs.set(arn, tab);
        labShell.add(tab, 'main', { mode: 'tab-after', ref: OVERVIEW_ID });
      }
      labShell.activateById(tab.id);
    }
  });

  // The palette entry and the launcher card appear once the handshake says the server has the
  // overview (`features` lists "overview"); the sidebar card then shows its last job, if any
  // (GET never starts one).
  let shown = false;
  const sync = () => {
    const server = options.panelModel.state.server;
    if (server.status === 'probing') {
      return;
    }
    const available =
      server.status === 'ok' && (server.features ?? []).includes('overview');
    model.setAvailable(available);
    if (available && !shown) {
      shown = true;
      const category = trans.__('SageMaker Isolation');
      options.palette?.addItem({ command: OverviewCommandIDs.open, category });
      options.launcher?.add({
        command: OverviewCommandIDs.open,
        category: trans.__('Other'),
        rank: 50,
        args: { isLauncher: true }
      });
      void model.fetchStatus();
    }
  };
  options.panelModel.stateChanged.connect(sync);
  model.stateChanged.connect(() =>
    app.commands.notifyCommandChanged(OverviewCommandIDs.open)
  );
  sync();
  return model;
}
